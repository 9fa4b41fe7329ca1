package io.esmetrics.adapter.time;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Threads for the adapter's periodic work (refreshes, look-ups, certificate and status checks). Daemons, so that none
 * keeps a stopping JVM alive, and named, so that a thread dump says which work each one does.
 */
public final class BackgroundThreads {

    private BackgroundThreads() {
    }

    /** One thread that runs {@code name}'s scheduled work in turn. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(named(name));
    }

    public static ThreadFactory named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}

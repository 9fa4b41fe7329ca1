package io.esmetrics.adapter.benchmark;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Events written again and again on a daemon thread of their own while a scenario runs, as from a pipeline that keeps
 * delivering: without them windows empty and the adapter rightly reports the pipeline stalled. A failed write is
 * printed and the next one comes as planned.
 */
final class EventFeed {

    private EventFeed() {
    }

    /** Runs {@code write} after {@code initialDelay}, then {@code every} after each run ends; shut it down to stop. */
    static ScheduledExecutorService start(String name, Duration initialDelay, Duration every, Runnable write) {
        ScheduledExecutorService feed = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        feed.scheduleWithFixedDelay(() -> {
            try {
                write.run();
            } catch (RuntimeException e) {
                System.err.println(name + ": events not indexed: " + e.getMessage());
            }
        }, initialDelay.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return feed;
    }
}

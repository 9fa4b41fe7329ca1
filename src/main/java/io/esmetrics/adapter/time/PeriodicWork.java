package io.esmetrics.adapter.time;

import io.quarkus.logging.Log;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The adapter's one idiom for background work (the cache refresh, the ingest look-ups, the status writes, the
 * certificate, APIService and upstream checks): a task run on a named daemon thread of its own, {@code interval}
 * after the end of its previous run ({@link #startAtFixedRate}: after its start; {@link #startRescheduling}: when the
 * run says). A run that throws is logged and the next one comes as planned, where a bare
 * {@code scheduleWithFixedDelay} would end the loop silently at the first exception. Closing it stops the thread.
 */
public final class PeriodicWork implements AutoCloseable {

    private final ScheduledExecutorService thread;

    private PeriodicWork(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    /**
     * @param name what the thread is called in a thread dump
     * @param what the work, in the words of a log message: {@code "refreshing cached metric values"}
     */
    public static PeriodicWork start(String name, String what, Duration initialDelay, Duration interval, Runnable task) {
        ScheduledExecutorService thread = BackgroundThreads.scheduler(name);
        thread.scheduleWithFixedDelay(logged(what, interval, task), initialDelay.toMillis(), Math.max(1, interval.toMillis()),
                TimeUnit.MILLISECONDS);
        return new PeriodicWork(thread);
    }

    /**
     * As {@link #start}, but each run starts {@code interval} after the previous one started (or at once when that one
     * took longer): for a task that bounds its own run to the interval and must keep its period whatever it waits for.
     * Runs never overlap.
     */
    public static PeriodicWork startAtFixedRate(String name, String what, Duration initialDelay, Duration interval,
            Runnable task) {
        ScheduledExecutorService thread = BackgroundThreads.scheduler(name);
        thread.scheduleAtFixedRate(logged(what, interval, task), initialDelay.toMillis(), Math.max(1, interval.toMillis()),
                TimeUnit.MILLISECONDS);
        return new PeriodicWork(thread);
    }

    /**
     * As {@link #start}, but each run says when the next one comes: {@code task} answers the delay from its end to the
     * next run (for work that moves its own phase). A run that throws is logged and the next comes {@code fallback}
     * later. Runs never overlap.
     */
    public static PeriodicWork startRescheduling(String name, String what, Duration initialDelay, Duration fallback,
            Supplier<Duration> task) {
        ScheduledExecutorService thread = BackgroundThreads.scheduler(name);
        new Rescheduling(thread, what, fallback, task).schedule(initialDelay);
        return new PeriodicWork(thread);
    }

    private record Rescheduling(ScheduledExecutorService thread, String what, Duration fallback, Supplier<Duration> task)
            implements Runnable {

        void schedule(Duration delay) {
            try {
                thread.schedule(this, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed: no next run
            }
        }

        @Override
        public void run() {
            Duration next = fallback;
            try {
                next = task.get();
            } catch (RuntimeException e) {
                failed(what, fallback, e);
            }
            schedule(next);
        }
    }

    private static Runnable logged(String what, Duration interval, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                failed(what, interval, e);
            }
        };
    }

    private static void failed(String what, Duration next, RuntimeException e) {
        Log.errorf(e, "%s failed; trying again in %s", capitalized(what), next);
    }

    private static String capitalized(String what) {
        return what.isEmpty() ? what : Character.toUpperCase(what.charAt(0)) + what.substring(1);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

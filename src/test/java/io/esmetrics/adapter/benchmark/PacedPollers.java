package io.esmetrics.adapter.benchmark;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * Workers that poll HPAs as the HPA controller's do: worker {@code w} of {@code n} asks items {@code w}, {@code w + n},
 * … once per sync period, each with an HTTP/1.1 client of its own, until closed. Closing waits for each worker's
 * current poll; a worker that failed fails it.
 */
final class PacedPollers implements AutoCloseable {

    /** One HPA's poll: item {@code item} of the list, asked with the worker's client. */
    interface Poll {
        void ask(HttpClient http, int item) throws Exception;
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads;
    private final List<Future<?>> workers;

    PacedPollers(int workers, int items, Duration interval, Poll poll) {
        this.threads = Executors.newFixedThreadPool(workers);
        this.workers = IntStream.range(0, workers).<Future<?>>mapToObj(worker -> threads.submit(() -> {
            work(worker, workers, items, interval, poll);
            return null;
        })).toList();
    }

    private void work(int worker, int workers, int items, Duration interval, Poll poll) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        while (running.get()) {
            long periodStart = System.nanoTime();
            for (int item = worker; item < items && running.get(); item += workers) {
                poll.ask(http, item);
            }
            long rest = interval.toNanos() - (System.nanoTime() - periodStart);
            if (rest > 0) {
                Thread.sleep(rest / 1_000_000);
            }
        }
    }

    /** Stops the workers after their current poll; a worker that failed fails this. */
    @Override
    public void close() throws Exception {
        running.set(false);
        try {
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}

package io.esmetrics.adapter.explain;

import io.esmetrics.adapter.provider.TooManySearchesException;
import io.esmetrics.adapter.time.BackgroundThreads;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The few threads explanations run on, apart from the worker pool where TokenReview, SubjectAccessReview and the
 * metric requests of HPAs run: explaining is a debugging tool, and many slow explanations (each may look up fields,
 * the newest event and search) must not delay an HPA's request. Past {@link #THREADS} running and {@link #WAITING}
 * waiting, an explanation is refused at once with 429.
 */
@Singleton
class ExplainThreads {

    static final int THREADS = 2;
    static final int WAITING = 8;

    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(WAITING), BackgroundThreads.named("explain"), new ThreadPoolExecutor.AbortPolicy());

    /** {@code work} on one of the threads, or a {@link TooManySearchesException} when all are busy and the queue full. */
    <T> CompletableFuture<T> submit(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new TooManySearchesException("the adapter answers " + THREADS
                    + " explanations at a time and has " + WAITING + " waiting; retry later", Duration.ofSeconds(1)));
        }
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }
}

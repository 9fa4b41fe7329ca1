package io.esmetrics.adapter.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.provider.TooManySearchesException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ExplainThreadsTest {

    @Test
    void refusesAnExplanationPastItsThreadsAndQueueWith429() throws Exception {
        ExplainThreads threads = new ExplainThreads();
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<String>> busy = new ArrayList<>();
        try {
            for (int i = 0; i < ExplainThreads.THREADS + ExplainThreads.WAITING; i++) {
                busy.add(threads.submit(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "explained";
                }));
            }

            CompletableFuture<String> refused = threads.submit(() -> "explained");

            assertThat(refused).isCompletedExceptionally();
            try {
                refused.get();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(TooManySearchesException.class);
                assertThat(((TooManySearchesException) e.getCause()).retryAfter()).isEqualTo(Duration.ofSeconds(1));
            }
            release.countDown();
            assertThat(CompletableFuture.allOf(busy.toArray(CompletableFuture[]::new))).succeedsWithin(Duration.ofSeconds(5));
        } finally {
            release.countDown();
            threads.stop();
        }
    }
}

package io.esmetrics.adapter.time;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The background loops' one idiom: a failing run does not end the loop, closing it does. */
class PeriodicWorkTest {

    @Test
    void keepsRunningAfterARunThrows() {
        AtomicInteger runs = new AtomicInteger();
        try (PeriodicWork work = PeriodicWork.start("test-work", "failing on purpose", Duration.ZERO, Duration.ofMillis(1), () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("boom");
        })) {
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
        }
    }

    @Test
    void stopsWhenClosed() {
        AtomicInteger runs = new AtomicInteger();
        PeriodicWork work = PeriodicWork.start("test-work", "counting", Duration.ZERO, Duration.ofMillis(1), runs::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 1);

        work.close();

        int stopped = runs.get();
        // A run under way when it closed may still end; none starts after.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> runs.get() <= stopped + 1);
    }
}

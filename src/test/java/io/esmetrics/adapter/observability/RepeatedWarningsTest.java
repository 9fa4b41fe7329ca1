package io.esmetrics.adapter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RepeatedWarningsTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                lines.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        Logger.getLogger(RepeatedWarningsTest.class.getName()).addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger(RepeatedWarningsTest.class.getName()).removeHandler(handler);
    }

    @Test
    void logsEachMessageOncePerPeriod() {
        RepeatedWarnings warnings = new RepeatedWarnings(RepeatedWarningsTest.class, Duration.ofMillis(300));

        for (int i = 0; i < 100; i++) {
            warnings.warn("Elasticsearch answered 401");
            warnings.warn("Elasticsearch answered 404");
        }
        assertThat(lines).containsExactly("Elasticsearch answered 401", "Elasticsearch answered 404");

        // Still failing after the period: said again, once.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            warnings.warn("Elasticsearch answered 401");
            assertThat(lines).filteredOn(line -> line.endsWith("401")).hasSize(2);
        });
    }
}

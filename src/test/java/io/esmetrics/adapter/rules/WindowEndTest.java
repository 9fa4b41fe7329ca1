package io.esmetrics.adapter.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where a window ends (exclusive): ingestLag before now, never later than just after the watermark less settle. */
class WindowEndTest {

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final MetricRule RATE = rule("window: 1m\n    ingestLag: 5s\n    settle: 2s\n    stalledAfter: 2m");
    private static final MetricRule SETTLE_0 = rule("window: 1m\n    ingestLag: 5s\n    stalledAfter: 2m");

    @Test
    void aPipelineThatKeepsUpEndsTheWindowIngestLagBeforeNow() {
        assertThat(RATE.windowEnd(NOW, Optional.of(NOW.minusSeconds(1)))).isEqualTo(NOW.minusSeconds(5));
        assertThat(RATE.windowEnd(NOW, Optional.of(NOW.minusSeconds(3)))).isEqualTo(NOW.minusSeconds(5));
    }

    @Test
    void aPipelineBehindEndsTheWindowSettleBeforeItsWatermark() {
        assertThat(RATE.windowEnd(NOW, Optional.of(NOW.minusSeconds(4)))).isEqualTo(NOW.minusSeconds(6).plusMillis(1));
        assertThat(RATE.windowEnd(NOW, Optional.of(NOW.minusSeconds(45)))).isEqualTo(NOW.minusSeconds(47).plusMillis(1));
        assertThat(SETTLE_0.windowEnd(NOW, Optional.of(NOW.minusSeconds(45)))).as("the newest event itself counts")
                .isEqualTo(NOW.minusSeconds(45).plusMillis(1));
    }

    @Test
    void aWatermarkAheadOfNowChangesNothing() {
        assertThat(RATE.windowEnd(NOW, Optional.of(NOW.plusSeconds(180)))).isEqualTo(NOW.minusSeconds(5));
    }

    @Test
    void withoutAWatermarkOrStallDetectionTheWindowEndsIngestLagBeforeNow() {
        MetricRule unwatched = rule("window: 1m\n    ingestLag: 5s\n    stalledAfter: 0s");

        assertThat(RATE.windowEnd(NOW, Optional.empty())).isEqualTo(NOW.minusSeconds(5));
        assertThat(unwatched.windowEnd(NOW, Optional.of(NOW.minusSeconds(45)))).as("silence is no load for it")
                .isEqualTo(NOW.minusSeconds(5));
    }

    @Test
    void settleDefaultsToZero() {
        assertThat(rule("window: 1m").settle()).isEqualTo(KubernetesDuration.parse(MetricDefinition.DEFAULT_SETTLE))
                .isZero();
    }

    private static MetricRule rule(String more) {
        return MetricDefinitionsParser.parse("test", "metrics:\n  m:\n    indexPattern: ai-events-*\n    aggregation: rate\n    "
                + more + "\n").get(0);
    }
}

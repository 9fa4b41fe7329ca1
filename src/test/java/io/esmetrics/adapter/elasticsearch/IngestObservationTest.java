package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.NoCurrentDataException;
import io.esmetrics.adapter.provider.NoCurrentDataException.Kind;
import io.esmetrics.adapter.rules.MetricDefinitionsParser;
import io.esmetrics.adapter.rules.MetricRule;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the newest event of a metric's indices lets it be computed, with time moved by hand. */
class IngestObservationTest {

    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");
    private static final Duration LOOKBACK = Duration.ofHours(1);
    private static final MetricRule RATE = rule("rate", "window: 1m\n    stalledAfter: 30s");
    private static final MetricRule UNWATCHED = rule("rate", "window: 1m\n    stalledAfter: 0s");
    private static final EventIndices INDICES = EventIndices.of(RATE);

    @Test
    void eventsUpToStalledAfterOldAreCurrent() {
        assertThat(seen(NOW.minusSeconds(30)).problemFor(RATE)).isEmpty();
        assertThat(seen(NOW.plusSeconds(5)).problemFor(RATE)).as("an event from a clock ahead of ours").isEmpty();
    }

    @Test
    void anEventOlderThanStalledAfterIsAStalledPipelineSinceThatEvent() {
        Instant newest = NOW.minusSeconds(30).minusMillis(1);

        Optional<BackendUnavailableException> problem = seen(newest).problemFor(RATE);

        assertThat(problem).get().isInstanceOfSatisfying(NoCurrentDataException.class, noData -> {
            assertThat(noData.kind()).isEqualTo(Kind.PIPELINE_STALLED);
            assertThat(noData.newestEvent()).contains(newest);
            assertThat(noData.getMessage()).isEqualTo("the pipeline writing ai-events-* (@timestamp) looks stalled since "
                    + "2026-11-30T09:59:29.999Z: at 2026-11-30T10:00:00Z its newest event was 30s old, more than the 30s "
                    + "metric m allows (stalledAfter). No value is computed rather than a zero made of silence");
        });
    }

    @Test
    void whereThePipelineStampsArrivalsAStallIsMeasuredByArrivalWhateverTheEventTimesSay() {
        // A producer's clock 3 minutes ahead: its events look newest, but nothing has arrived for 31 s.
        Instant arrived = NOW.minusSeconds(31);
        IngestObservation aheadButStalled = IngestObservation.found(INDICES, NOW, LOOKBACK, Optional.of(NOW.plusSeconds(5)),
                Optional.of(arrived));

        assertThat(aheadButStalled.lag()).contains(Duration.ofSeconds(31));
        assertThat(aheadButStalled.problemFor(RATE)).get().isInstanceOfSatisfying(NoCurrentDataException.class, noData -> {
            assertThat(noData.kind()).isEqualTo(Kind.PIPELINE_STALLED);
            assertThat(noData.newestEvent()).contains(arrived);
            assertThat(noData.getMessage()).contains("looks stalled since 2026-11-30T09:59:29Z: at 2026-11-30T10:00:00Z its"
                    + " newest event had arrived 31s before, more than the 30s metric m allows");
        });
    }

    @Test
    void eventsThatArriveLateAreAPipelineBehindNotAStalledOne() {
        // Events arrive now, stamped 45 s ago: the watermark is 45 s behind, the pipeline delivers.
        IngestObservation late = IngestObservation.found(INDICES, NOW, LOOKBACK, Optional.of(NOW.minusSeconds(45)),
                Optional.of(NOW.minusSeconds(1)));

        assertThat(late.problemFor(RATE)).isEmpty();
        assertThat(late.watermark()).contains(NOW.minusSeconds(45));
        assertThat(late.watermarkLag()).contains(Duration.ofSeconds(45));
        assertThat(late.lag()).contains(Duration.ofSeconds(1));
    }

    @Test
    void noIndexAndNoEventsAreNoCurrentDataEvenWithoutStallDetection() {
        IngestObservation noIndex = IngestObservation.noIndex(INDICES, NOW, LOOKBACK);
        IngestObservation noEvents = IngestObservation.found(INDICES, NOW, LOOKBACK, Optional.empty(), Optional.empty());

        assertThat(noIndex.problemFor(RATE)).get().extracting(e -> ((NoCurrentDataException) e).kind()).isEqualTo(Kind.NO_INDEX);
        assertThat(noIndex.problemFor(UNWATCHED)).as("a pattern that matches nothing is never zero").isPresent();
        assertThat(noEvents.problemFor(RATE)).get().extracting(e -> ((NoCurrentDataException) e).kind()).isEqualTo(Kind.NO_EVENTS);
        assertThat(noEvents.problemFor(RATE).orElseThrow().getMessage())
                .contains("no event of ai-events-* has a @timestamp in the 1h0m0s before 2026-11-30T10:00:00Z");
    }

    @Test
    void aMetricWithoutStallDetectionReadsSilence() {
        assertThat(seen(NOW.minus(Duration.ofMinutes(50))).problemFor(UNWATCHED)).isEmpty();
        assertThat(IngestObservation.found(INDICES, NOW, LOOKBACK, Optional.empty(), Optional.empty()).problemFor(UNWATCHED)).isEmpty();
    }

    @Test
    void aFailedLookUpFailsTheMetricNamingIt() {
        IngestObservation failed = IngestObservation.failed(INDICES, NOW, LOOKBACK, new BackendUnavailableException("boom"));

        assertThat(failed.problemFor(RATE)).get().isNotInstanceOf(NoCurrentDataException.class)
                .extracting(Throwable::getMessage).isEqualTo("metric m cannot be computed: boom");
    }

    @Test
    void aLookUpStandsForItsValidityFromWhenItWasMade() {
        IngestObservation seen = seen(NOW.minusSeconds(1));
        Duration validity = Duration.ofSeconds(10);

        assertThat(seen.currentAt(NOW, validity)).isTrue();
        assertThat(seen.currentAt(NOW.plus(validity).minusMillis(1), validity)).isTrue();
        assertThat(seen.currentAt(NOW.plus(validity), validity)).isFalse();
        assertThat(seen.currentAt(NOW.minusMillis(1), validity)).as("a clock set back").isFalse();
    }

    private static IngestObservation seen(Instant newest) {
        return IngestObservation.found(INDICES, NOW, LOOKBACK, Optional.of(newest), Optional.empty());
    }

    private static MetricRule rule(String aggregation, String more) {
        return MetricDefinitionsParser.parse("test", "metrics:\n  m:\n    indexPattern: ai-events-*\n    aggregation: " + aggregation
                + "\n    " + more + "\n").get(0);
    }
}

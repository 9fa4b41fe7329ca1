package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.NoCurrentDataException;
import io.esmetrics.adapter.provider.NoCurrentDataException.Kind;
import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.rules.MetricRule;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What one look-up of the newest event in a set of indices found, and whether that lets a metric be computed. A
 * window with no events reads as zero, so a metric is computed only while events still reach the indices: a
 * stalled pipeline, an index pattern that matches nothing, or indices without any recent event are no current
 * data, never zero load. Pure: every decision here is tested by moving {@code checkedAt}, without Elasticsearch.
 *
 * @param indexFound  whether the pattern matched at least one index the adapter may read
 * @param newestEvent the newest event time within {@code lookback} before {@code checkedAt}, if any
 * @param failure     why the look-up itself failed; then nothing else is known
 */
record IngestObservation(EventIndices indices, Instant checkedAt, Duration lookback, boolean indexFound,
        Optional<Instant> newestEvent, Optional<BackendUnavailableException> failure) {

    static IngestObservation found(EventIndices indices, Instant checkedAt, Duration lookback, Optional<Instant> newestEvent) {
        return new IngestObservation(indices, checkedAt, lookback, true, newestEvent, Optional.empty());
    }

    static IngestObservation noIndex(EventIndices indices, Instant checkedAt, Duration lookback) {
        return new IngestObservation(indices, checkedAt, lookback, false, Optional.empty(), Optional.empty());
    }

    static IngestObservation failed(EventIndices indices, Instant checkedAt, Duration lookback, BackendUnavailableException failure) {
        return new IngestObservation(indices, checkedAt, lookback, false, Optional.empty(), Optional.of(failure));
    }

    /** Whether it may stand for the indices at {@code now}: made no longer than {@code validity} ago. */
    boolean currentAt(Instant now, Duration validity) {
        return failure.isEmpty() && !now.isBefore(checkedAt) && now.isBefore(checkedAt.plus(validity));
    }

    /** How far the newest event lagged behind the look-up; empty when there was none. */
    Optional<Duration> lag() {
        return newestEvent.map(newest -> newest.isAfter(checkedAt) ? Duration.ZERO : Duration.between(newest, checkedAt));
    }

    /** Why {@code rule} cannot be computed from these indices now; empty when its data is current. */
    Optional<BackendUnavailableException> problemFor(MetricRule rule) {
        if (failure.isPresent()) {
            return Optional.of(new BackendUnavailableException("metric " + rule.name() + " cannot be computed: "
                    + failure.get().getMessage(), failure.get()));
        }
        if (!indexFound) {
            return Optional.of(new NoCurrentDataException(Kind.NO_INDEX, Optional.empty(), "metric " + rule.name()
                    + " has no data: index pattern " + indices.indexPattern() + " matches no index the adapter may read."
                    + " Either nothing has been written to it yet (is the pipeline running?), or the adapter's"
                    + " Elasticsearch user lacks the read privilege on these indices"));
        }
        if (!rule.detectsStalls()) {
            return Optional.empty();
        }
        if (newestEvent.isEmpty()) {
            return Optional.of(new NoCurrentDataException(Kind.NO_EVENTS, Optional.empty(), "metric " + rule.name()
                    + " has no current data: no event of " + indices.indexPattern() + " has a " + indices.timeField()
                    + " in the " + KubernetesDuration.format(lookback) + " before " + checkedAt + ". Either nothing has"
                    + " been written for that long (the pipeline stalled), or the events carry their time in another"
                    + " field than " + indices.timeField()));
        }
        Duration lag = lag().orElseThrow();
        if (lag.compareTo(rule.stalledAfter()) <= 0) {
            return Optional.empty();
        }
        Instant since = newestEvent.get();
        return Optional.of(new NoCurrentDataException(Kind.PIPELINE_STALLED, newestEvent, "the pipeline writing "
                + indices + " looks stalled since " + since + ": at " + checkedAt + " its newest event was "
                + KubernetesDuration.format(lag) + " old, more than the " + KubernetesDuration.format(rule.stalledAfter())
                + " metric " + rule.name() + " allows (stalledAfter). No value is computed rather than a zero made of silence"));
    }
}

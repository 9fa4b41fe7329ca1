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
 * @param indexFound    whether the pattern matched at least one index the adapter may read
 * @param newestEvent   the newest event time within {@code lookback} before {@code checkedAt} (and not beyond the
 *                      producers' clock skew after it), if any; the watermark is it, unless it lies beyond the
 *                      newest arrival ({@link #watermark})
 * @param newestArrival the newest arrival stamp of those events, where the pipeline stamps them
 * @param failure       why the look-up itself failed; then nothing else is known
 */
record IngestObservation(EventIndices indices, Instant checkedAt, Duration lookback, boolean indexFound,
        Optional<Instant> newestEvent, Optional<Instant> newestArrival, Optional<BackendUnavailableException> failure) {

    static IngestObservation found(EventIndices indices, Instant checkedAt, Duration lookback, Optional<Instant> newestEvent,
            Optional<Instant> newestArrival) {
        return new IngestObservation(indices, checkedAt, lookback, true, newestEvent,
                newestEvent.isPresent() ? newestArrival : Optional.empty(), Optional.empty());
    }

    static IngestObservation noIndex(EventIndices indices, Instant checkedAt, Duration lookback) {
        return new IngestObservation(indices, checkedAt, lookback, false, Optional.empty(), Optional.empty(), Optional.empty());
    }

    static IngestObservation failed(EventIndices indices, Instant checkedAt, Duration lookback, BackendUnavailableException failure) {
        return new IngestObservation(indices, checkedAt, lookback, false, Optional.empty(), Optional.empty(),
                Optional.of(failure));
    }

    /** Whether it may stand for the indices at {@code now}: made no longer than {@code validity} ago. */
    boolean currentAt(Instant now, Duration validity) {
        return failure.isEmpty() && !now.isBefore(checkedAt) && now.isBefore(checkedAt.plus(validity));
    }

    /**
     * How long before the look-up the pipeline last delivered: by the newest arrival stamp where events carry one
     * (immune to the producers' clocks), else by the newest event time. Empty when there was no event.
     */
    Optional<Duration> lag() {
        return lastDelivery().map(this::before);
    }

    /**
     * The pipeline's watermark: the newest event time that has arrived, so windows end before it
     * ({@code MetricRule#windowEnd}). No event happens after it arrives: where arrivals are stamped, an event time
     * beyond the newest arrival is a producer's clock running ahead, and the watermark is the arrival instead.
     */
    Optional<Instant> watermark() {
        return newestEvent.map(event -> newestArrival.filter(arrival -> arrival.isBefore(event)).orElse(event));
    }

    /** How far the watermark was behind the look-up: how late the events are that arrive. */
    Optional<Duration> watermarkLag() {
        return watermark().map(this::before);
    }

    /** When the pipeline last delivered: the newest arrival where stamped, else the newest event time. */
    Optional<Instant> lastDelivery() {
        return newestArrival.or(() -> newestEvent);
    }

    private Duration before(Instant at) {
        return at.isAfter(checkedAt) ? Duration.ZERO : Duration.between(at, checkedAt);
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
        Optional<Instant> since = lastDelivery();
        String newest = newestArrival.isPresent() ? "its newest event had arrived " + KubernetesDuration.format(lag) + " before"
                : "its newest event was " + KubernetesDuration.format(lag) + " old";
        return Optional.of(new NoCurrentDataException(Kind.PIPELINE_STALLED, since, "the pipeline writing "
                + indices + " looks stalled since " + since.orElseThrow() + ": at " + checkedAt + " " + newest + ", more than the "
                + KubernetesDuration.format(rule.stalledAfter()) + " metric " + rule.name() + " allows (stalledAfter)."
                + " No value is computed rather than a zero made of silence"));
    }
}

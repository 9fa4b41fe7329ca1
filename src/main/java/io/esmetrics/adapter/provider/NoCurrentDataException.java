package io.esmetrics.adapter.provider;

import java.time.Instant;
import java.util.Optional;

/**
 * The backend answers, but the data a metric is computed from is not current: the pipeline that writes it
 * looks stalled, or there is nothing to read at all. Computed anyway, the metric would read zero (no events
 * in the window) exactly when nobody can see the load, and an HPA would scale down on that silence.
 */
public final class NoCurrentDataException extends BackendUnavailableException {

    /** Why there is no current data; each has the CamelCase reason shown in ElasticsearchMetric conditions. */
    public enum Kind {
        /** The newest event is older than the metric's {@code stalledAfter}. */
        PIPELINE_STALLED("PipelineStalled"),
        /** The index pattern matches no index the adapter may read. */
        NO_INDEX("NoIndex"),
        /** The indices hold no event with a time in the look-back period. */
        NO_EVENTS("NoEvents");

        private final String reason;

        Kind(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private final Kind kind;
    private final Optional<Instant> newestEvent;

    public NoCurrentDataException(Kind kind, Optional<Instant> newestEvent, String message) {
        super(message);
        this.kind = kind;
        this.newestEvent = newestEvent;
    }

    public Kind kind() {
        return kind;
    }

    /** The time of the newest event found, when one was: the moment the pipeline seems to have stopped. */
    public Optional<Instant> newestEvent() {
        return newestEvent;
    }

    @Override
    public NoCurrentDataException withDetail(String detail) {
        return new NoCurrentDataException(kind, newestEvent, getMessage() + detail);
    }
}

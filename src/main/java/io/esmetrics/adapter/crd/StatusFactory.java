package io.esmetrics.adapter.crd;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The next status of an ElasticsearchMetric from what its last evaluation gave, and whether it is worth writing. */
final class StatusFactory {

    static final String READY = "Ready";
    static final String INVALID = "Invalid";
    static final String BACKEND_ERROR = "BackendError";
    static final String STALLED = "Stalled";
    /** Kubernetes accepts far longer messages; a screenful is what a person reading the status can use. */
    private static final int MAX_MESSAGE = 1024;

    /** What evaluating a resource gave. */
    sealed interface Outcome {
        /**
         * A total, as a canonical Quantity; {@code staleBecause} says why it is the last good value rather than a
         * fresh one (a {@link BackendError} or {@link NoCurrentData} the HPAs do not see yet: the staleness budget).
         */
        record Value(String quantity, Optional<Outcome> staleBecause) implements Outcome {
            Value(String quantity) {
                this(quantity, Optional.empty());
            }
        }

        /** The resource cannot be served; {@code reason} is a CamelCase word (InvalidSpec, NameConflict). */
        record Invalid(String reason, String message) implements Outcome {
        }

        /** Elasticsearch gave no trustworthy answer. */
        record BackendError(String message) implements Outcome {
        }

        /** Elasticsearch answers, but the metric's data is not current; {@code reason}: PipelineStalled, NoIndex, NoEvents. */
        record NoCurrentData(String reason, String message) implements Outcome {
        }
    }

    private StatusFactory() {
    }

    static ElasticsearchMetricStatus next(ElasticsearchMetricStatus previous, Long generation, Outcome outcome, Instant now) {
        Optional<ElasticsearchMetricStatus> before = Optional.ofNullable(previous);
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        if (outcome instanceof Outcome.Invalid invalid) {
            return new ElasticsearchMetricStatus(null, null, generation, List.of(
                    condition(before, READY, false, invalid.reason(), "not served: see the Invalid condition", generation, time),
                    condition(before, INVALID, true, invalid.reason(), invalid.message(), generation, time)));
        }
        if (outcome instanceof Outcome.Value value) {
            Optional<Outcome> cause = value.staleBecause();
            // A stale value is the one computed last time it could be: its time stays.
            String updated = cause.isPresent() && before.map(ElasticsearchMetricStatus::value).filter(value.quantity()::equals).isPresent()
                    ? before.get().lastUpdated() : time;
            List<Condition> conditions = new ArrayList<>(List.of(
                    cause.isEmpty()
                            ? condition(before, READY, true, "ValueComputed", "", generation, time)
                            : condition(before, READY, true, "LastGoodValue", "serving the last good value within its "
                                    + "staleness budget: see the " + conditionType(cause.get()) + " condition", generation, time),
                    condition(before, INVALID, false, "Valid", "", generation, time)));
            conditions.addAll(problemConditions(before, cause, generation, time));
            return new ElasticsearchMetricStatus(value.quantity(), updated, generation, conditions);
        }
        // The last computed value stays, with its time: it is still the best a person can know.
        String readyReason = outcome instanceof Outcome.NoCurrentData noData ? noData.reason() : "BackendError";
        List<Condition> conditions = new ArrayList<>(List.of(
                condition(before, READY, false, readyReason, "see the " + conditionType(outcome) + " condition", generation, time),
                condition(before, INVALID, false, "Valid", "", generation, time)));
        conditions.addAll(problemConditions(before, Optional.of(outcome), generation, time));
        return new ElasticsearchMetricStatus(before.map(ElasticsearchMetricStatus::value).orElse(null),
                before.map(ElasticsearchMetricStatus::lastUpdated).orElse(null), generation, conditions);
    }

    private static String conditionType(Outcome problem) {
        return problem instanceof Outcome.NoCurrentData ? STALLED : BACKEND_ERROR;
    }

    /**
     * BackendError, and Stalled where it is known: after a failed search nobody knows whether events arrive, so the
     * condition is left out rather than guessed.
     */
    private static List<Condition> problemConditions(Optional<ElasticsearchMetricStatus> before, Optional<Outcome> problem,
            Long generation, String time) {
        if (problem.isPresent() && problem.get() instanceof Outcome.BackendError error) {
            return List.of(condition(before, BACKEND_ERROR, true, "SearchFailed", error.message(), generation, time));
        }
        Condition searched = condition(before, BACKEND_ERROR, false, "SearchSucceeded", "", generation, time);
        if (problem.isPresent() && problem.get() instanceof Outcome.NoCurrentData noData) {
            return List.of(searched, condition(before, STALLED, true, noData.reason(), noData.message(), generation, time));
        }
        return List.of(searched, condition(before, STALLED, false, "EventsArriving", "", generation, time));
    }

    /** Only a change is written, or an unchanged value whose {@code lastUpdated} is older than {@code refresh}. */
    static boolean needsWrite(ElasticsearchMetricStatus previous, ElasticsearchMetricStatus next, Instant now, Duration refresh) {
        if (previous == null) {
            return true;
        }
        boolean sameButTime = Objects.equals(previous.value(), next.value())
                && Objects.equals(previous.observedGeneration(), next.observedGeneration())
                && Objects.equals(previous.conditions(), next.conditions());
        if (!sameButTime) {
            return true;
        }
        return next.value() != null && !Objects.equals(previous.lastUpdated(), next.lastUpdated())
                && (previous.lastUpdated() == null || Instant.parse(previous.lastUpdated()).plus(refresh).isBefore(now));
    }

    /** A condition keeps its lastTransitionTime while its status does not change. */
    private static Condition condition(Optional<ElasticsearchMetricStatus> previous, String type, boolean status, String reason,
            String message, Long generation, String now) {
        String statusText = status ? "True" : "False";
        String since = previous.map(ElasticsearchMetricStatus::conditions).orElse(List.of()).stream()
                .filter(c -> type.equals(c.getType()) && statusText.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now);
        return new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build();
    }
}

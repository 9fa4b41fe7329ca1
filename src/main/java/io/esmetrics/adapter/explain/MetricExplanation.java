package io.esmetrics.adapter.explain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.externalmetrics.ExternalMetricValue;
import io.fabric8.kubernetes.api.model.Status;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * The answer to {@code explain=true}: everything the adapter knows about one metric request, for a person reading
 * it with {@code kubectl get --raw}. Not part of the external metrics API (the HPA never asks for it), so it has a
 * {@code kind} for the reader and no {@code apiVersion}. Absent fields are left out rather than written as null. In
 * the order a reader asks: what the HPA gets and makes of it, then why (the rule, the backend's request and data).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
record MetricExplanation(String kind, String namespace, String metric, String labelSelector, Answer answer,
        HpaProjection hpa, Rule rule, Backend backend) {

    static final String KIND = "ExternalMetricExplanation";

    /** The metric's definition, where it comes from, with durations as the definitions write them. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Rule(String source, String indexPattern, String timeField, String namespaceField,
            Map<String, List<String>> filter, Map<String, List<String>> numerator, String aggregation, String field,
            Double percent, Activation activation, String window, String ingestLag, String settle, String staleness,
            String stalledAfter, Map<String, String> labels) {
    }

    /**
     * What the metric request answers now.
     *
     * @param from        {@code memory}: the values the cache holds, served as they are; {@code search}: nothing usable
     *                    in memory, so a search computed them now (as the request would, but not kept); {@code none}:
     *                    no values, {@code status} says why
     * @param budgetLeft  how much longer the values in memory may be served if no refresh succeeds
     * @param lastFailure why the newest search failed, while the values in memory are still served
     * @param activation  for a metric with an activation: what it makes of the values ({@code items} are what it serves)
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Answer(int code, String from, List<ExternalMetricValue> items, Status status, String computedAt, String age,
            String stalenessBudget, String budgetLeft, String lastSearch, String lastFailure, String failingSince,
            ActivationAnswer activation) {
    }

    /** The metric's activation bounds, as the definition writes them. */
    @RegisterForReflection
    record Activation(Double threshold, Double deactivateBelow) {
    }

    /**
     * What the activation makes of the answer on this replica, as a metric request now would decide it (explaining
     * changes no state).
     *
     * @param value          the total the backend's values add up to, as a Quantity: what the HPA would read without
     *                       activation
     * @param remembered     {@code inactive} when this replica holds the answer inactive, else {@code active} (also
     *                       when it has never seen the answer: an answer without state is active)
     * @param state          the state after this value: {@code active} or {@code inactive}
     * @param inactiveSince  since when the answer is inactive, when it is
     * @param served         the total served, as a Quantity: {@code value} while active, 0 while inactive
     * @param why            the decision in a sentence
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ActivationAnswer(Double threshold, Double deactivateBelow, String value, String remembered, String state,
            String inactiveSince, String served, String why) {
    }

    /** How the backend computes the answer, the request to reproduce it by hand, and the state of the data. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Backend(String name, String computedBy, Request request, String requestProblem, Ingest ingest,
            String circuit) {
    }

    /** {@code console}: the request as Kibana Dev Tools takes it ({@code jq -r .backend.request.console}). */
    @RegisterForReflection
    record Request(String method, String path, JsonNode body, String console) {
    }

    /**
     * The newest event of the metric's indices and when it arrived, the pipeline's watermark, whether that makes the
     * pipeline look stalled, and the window the metric reads because of it.
     *
     * @param watermark    the newest event time that has arrived (an event time beyond the newest arrival is a producer's
     *                     clock running ahead)
     * @param lag          how long before {@code checkedAt} the pipeline last delivered (by arrival where stamped)
     * @param watermarkLag how far the watermark was behind {@code checkedAt}: how late events arrive
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Ingest(String checkedAt, String newestEvent, String newestArrival, String watermark, String lag,
            String watermarkLag, String stalledAfter, Window window, String problem) {
    }

    /** The time range of the events a windowed value counts now, and why it ends where it does. */
    @RegisterForReflection
    record Window(String from, String to, String endsAt) {
    }
}

package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.selector.Requirement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Builds the search for one metric request. Every user-provided value (namespace, label values) goes into a
 * {@code term}/{@code terms} query as a value, never into query syntax. Queries are cheap by construction:
 * {@code size: 0}, the time range first, aggregations instead of hits.
 */
final class SearchRequestFactory {

    static final String SERIES_AGGREGATION = "series";
    static final String VALUE_AGGREGATION = "value";
    static final String NEWEST_AGGREGATION = "newest";
    static final String ARRIVAL_AGGREGATION = "arrived";
    /**
     * The composite source that carries a series' namespace in a search across namespaces. No label can be called
     * so: a label selector key never starts with an underscore.
     */
    static final String NAMESPACE_SOURCE = "_namespace";
    private static final String MATCH_NONE = "match_none";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Duration searchTimeout;
    private final int seriesPageSize;

    SearchRequestFactory(Duration searchTimeout, int seriesPageSize) {
        this.searchTimeout = searchTimeout;
        this.seriesPageSize = seriesPageSize;
    }

    /**
     * @param fields the fields the declared ones are in the metric's indices, and their types
     * @param after  the {@code after_key} of the previous page of series, if any
     */
    SearchRequest create(MetricRule rule, ResolvedFields fields, String namespace, LabelSelector selector, ValueTime at,
            Optional<JsonNode> after) {
        return create(rule, fields, List.of(namespace), selector, at, after);
    }

    /**
     * The search for the series of every namespace of {@code namespaces} at once, for a metric that splits into
     * series: the namespace is one more composite source (first, so a namespace's series are contiguous), and the
     * query is restricted to those namespaces. Each namespace's series are exactly those its own search finds: the
     * composite buckets of a namespace only ever hold that namespace's documents.
     */
    SearchRequest createAcrossNamespaces(MetricRule rule, ResolvedFields fields, List<String> namespaces, ValueTime at,
            Optional<JsonNode> after) {
        if (!rule.splitsIntoSeries() || rule.namespaceField().isEmpty()) {
            throw new IllegalArgumentException("metric " + rule.name() + " cannot be searched across namespaces");
        }
        return create(rule, fields, namespaces, LabelSelector.everything(), at, after);
    }

    private SearchRequest create(MetricRule rule, ResolvedFields fields, List<String> namespaces, LabelSelector selector,
            ValueTime at, Optional<JsonNode> after) {
        ObjectNode body = JSON.objectNode();
        body.put("size", 0);
        body.put("timeout", searchTimeout.toMillis() + "ms");
        boolean perSeries = rule.splitsIntoSeries();
        body.put("track_total_hits", !perSeries && !rule.aggregation().readsField());
        body.set("query", query(rule, fields, namespaces, selector, at));
        ObjectNode valueAggregation = valueAggregation(rule, fields);
        if (perSeries) {
            ObjectNode series = body.putObject("aggs").putObject(SERIES_AGGREGATION);
            series.set("composite", composite(rule, fields, namespaces.size() > 1, after));
            if (valueAggregation != null) {
                series.putObject("aggs").set(VALUE_AGGREGATION, valueAggregation);
            }
        } else if (valueAggregation != null) {
            body.putObject("aggs").set(VALUE_AGGREGATION, valueAggregation);
        }
        return new SearchRequest(rule.indexPattern(), body);
    }

    /**
     * The newest event of a set of indices, whatever its namespace or kind, within {@code lookback} and no further
     * than {@code skew} ahead of now (a producer's clock that runs ahead must not look like a current pipeline): the
     * pipeline's watermark, whether events still arrive, and how far ingest (Logstash) lags behind now. Besides the
     * newest event time, the newest arrival stamp ({@code arrivalField}), which the pipeline sets and no sender can
     * choose. A {@code max} is answered from index structures; one over a field no document has is null. No metric
     * filter applies: a metric whose events are rare (errors) is not a stalled pipeline.
     */
    SearchRequest newestEvent(EventIndices indices, Instant now, Duration lookback, Duration skew, String arrivalField) {
        ObjectNode body = JSON.objectNode();
        body.put("size", 0);
        body.put("timeout", searchTimeout.toMillis() + "ms");
        body.put("track_total_hits", false);
        ObjectNode bounds = body.putObject("query").putObject("range").putObject(indices.timeField());
        bounds.put("gte", now.minus(lookback).toEpochMilli()).put("lte", now.plus(skew).toEpochMilli())
                .put("format", "epoch_millis");
        ObjectNode aggregations = body.putObject("aggs");
        aggregations.putObject(NEWEST_AGGREGATION).putObject("max").put("field", indices.timeField());
        aggregations.putObject(ARRIVAL_AGGREGATION).putObject("max").put("field", arrivalField);
        return new SearchRequest(indices.indexPattern(), body);
    }

    /**
     * Limits a {@code _field_caps} request to the indices holding documents of the last {@code span}: a mapping
     * that changed (a template installed later) matters only where the documents are.
     */
    static ObjectNode fieldCapsFilter(String timeField, Duration span, Instant now) {
        ObjectNode body = JSON.objectNode();
        ObjectNode bounds = body.putObject("index_filter").putObject("range").putObject(timeField);
        bounds.put("gte", now.minus(span).toEpochMilli()).put("format", "epoch_millis");
        return body;
    }

    private static ObjectNode query(MetricRule rule, ResolvedFields fields, List<String> namespaces, LabelSelector selector,
            ValueTime at) {
        ArrayNode filter = JSON.arrayNode();
        ArrayNode mustNot = JSON.arrayNode();
        filter.add(range(rule, at));
        rule.namespaceField().ifPresent(field -> filter.add(namespaces.size() == 1
                ? term(fields.name(field), namespaces.get(0)) : namespaces(fields.name(field), namespaces)));
        rule.filter().forEach((field, values) -> filter.add(terms(fields, field, values)));
        if (rule.aggregation() == Aggregation.LATEST) {
            filter.add(exists(rule.field().orElseThrow()));
        }
        for (Requirement requirement : selector.requirements()) {
            String field = rule.labels().get(requirement.key());
            switch (requirement.operator()) {
                case EQUALS, IN -> filter.add(terms(fields, field, requirement.values()));
                case NOT_EQUALS, NOT_IN -> {
                    ObjectNode excluded = terms(fields, field, requirement.values());
                    if (!excluded.has(MATCH_NONE)) {
                        mustNot.add(excluded);
                    }
                }
                case EXISTS -> filter.add(exists(fields.name(field)));
                case DOES_NOT_EXIST -> mustNot.add(exists(fields.name(field)));
            }
        }
        ObjectNode bool = JSON.objectNode();
        bool.set("filter", filter);
        if (!mustNot.isEmpty()) {
            bool.set("must_not", mustNot);
        }
        ObjectNode query = JSON.objectNode();
        query.set("bool", bool);
        return query;
    }

    private static ObjectNode range(MetricRule rule, ValueTime at) {
        ObjectNode bounds = JSON.objectNode();
        if (rule.aggregation().usesWindow()) {
            bounds.put("gte", at.windowEnd().minus(rule.window()).toEpochMilli());
            bounds.put("lt", at.windowEnd().toEpochMilli());
        } else {
            bounds.put("gte", at.now().minus(rule.staleness()).toEpochMilli());
            bounds.put("lte", at.now().toEpochMilli());
        }
        bounds.put("format", "epoch_millis");
        ObjectNode range = JSON.objectNode();
        range.putObject("range").set(rule.timeField(), bounds);
        return range;
    }

    private ObjectNode composite(MetricRule rule, ResolvedFields fields, boolean byNamespace, Optional<JsonNode> after) {
        ObjectNode composite = JSON.objectNode();
        composite.put("size", seriesPageSize);
        ArrayNode sources = composite.putArray("sources");
        if (byNamespace) {
            sources.addObject().putObject(NAMESPACE_SOURCE).putObject("terms")
                    .put("field", fields.name(rule.namespaceField().orElseThrow()));
        }
        // missing_bucket keeps documents without a label in the total instead of silently dropping them.
        rule.labels().forEach((label, field) -> sources.addObject().putObject(label).putObject("terms")
                .put("field", fields.name(field)).put("missing_bucket", true));
        after.ifPresent(key -> composite.set("after", key));
        return composite;
    }

    private static ObjectNode valueAggregation(MetricRule rule, ResolvedFields fields) {
        ObjectNode aggregation = JSON.objectNode();
        switch (rule.aggregation()) {
            case RATE, COUNT -> {
                return null;
            }
            case LATEST -> {
                ObjectNode topHits = aggregation.putObject("top_hits");
                topHits.put("size", 1);
                topHits.putArray("sort").addObject().putObject(rule.timeField()).put("order", "desc");
                topHits.put("_source", false);
                topHits.putArray("docvalue_fields").add(rule.field().orElseThrow());
            }
            case SUM, AVG, MIN, MAX -> aggregation.putObject(rule.aggregation().wireName())
                    .put("field", rule.field().orElseThrow());
            case PERCENTILE -> {
                // Not keyed: the value is read by position, not by a key whose decimal formatting varies by engine.
                ObjectNode percentiles = aggregation.putObject("percentiles");
                percentiles.put("field", rule.field().orElseThrow()).put("keyed", false);
                percentiles.putArray("percents").add(rule.percent().orElseThrow());
            }
            case RATIO -> {
                // The numerator in the denominator's own search: its documents, narrowed by the numerator's terms.
                ArrayNode numerator = aggregation.putObject("filter").putObject("bool").putArray("filter");
                rule.numerator().forEach((field, values) -> numerator.add(terms(fields, field, values)));
            }
        }
        return aggregation;
    }

    private static ObjectNode namespaces(String field, List<String> namespaces) {
        ObjectNode terms = JSON.objectNode();
        ArrayNode values = terms.putObject("terms").putArray(field);
        namespaces.forEach(values::add);
        return terms;
    }

    private static ObjectNode term(String field, String value) {
        ObjectNode term = JSON.objectNode();
        term.putObject("term").put(field, value);
        return term;
    }

    /**
     * A {@code terms} query on the field the declared {@code field} is, with the values it can hold; when it can hold
     * none of them, a query matching nothing (a selector value that cannot match is no match, not an error).
     */
    private static ObjectNode terms(ResolvedFields fields, String field, List<String> values) {
        ArrayNode accepted = JSON.arrayNode();
        values.forEach(value -> TermValues.of(fields.types(field), value).ifPresent(accepted::add));
        ObjectNode terms = JSON.objectNode();
        if (accepted.isEmpty()) {
            terms.putObject(MATCH_NONE);
        } else {
            terms.putObject("terms").set(fields.name(field), accepted);
        }
        return terms;
    }

    private static ObjectNode exists(String field) {
        ObjectNode exists = JSON.objectNode();
        exists.putObject("exists").put("field", field);
        return exists;
    }
}

package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricRule;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a search response into metric values, or refuses it. A response that timed out or lacks any shard
 * would undercount, and an undercount scales services down: such a response is a failure, not a value.
 */
final class SearchResponseConverter {

    /**
     * One page of series, and the key to fetch the next one when there may be more.
     *
     * @param namespaces in a search across namespaces, the namespace of each value (same order); else empty
     */
    record Page(List<MetricValue> values, List<String> namespaces, Optional<JsonNode> afterKey) {

        Page(List<MetricValue> values, Optional<JsonNode> afterKey) {
            this(values, List.of(), afterKey);
        }
    }

    /** Decimal digits a double spans, from its smallest subnormal to its largest value (about 1e-324 to 1.8e308). */
    private static final int DOUBLE_DECIMAL_RANGE = 400;

    private SearchResponseConverter() {
    }

    static Page convert(MetricRule rule, JsonNode response, ValueTime at, int pageSize) {
        requireComplete(rule, response);
        Instant timestamp = at.timestamp();
        if (rule.splitsIntoSeries()) {
            if (response.path("_shards").path("total").asInt(-1) == 0) {
                // No index matches the pattern yet (a fresh cluster, a new day): an empty window, no series.
                return new Page(List.of(), Optional.empty());
            }
            return series(rule, response.path("aggregations").path(SearchRequestFactory.SERIES_AGGREGATION),
                    timestamp, pageSize);
        }
        BigDecimal total = switch (rule.aggregation()) {
            case RATE, COUNT -> fromCount(rule, totalHits(rule, response));
            case LATEST -> latest(rule, response.path("aggregations").path(SearchRequestFactory.VALUE_AGGREGATION));
            case SUM, AVG, MIN, MAX -> metricValue(rule,
                    response.path("aggregations").path(SearchRequestFactory.VALUE_AGGREGATION).path("value"));
            case PERCENTILE -> percentile(rule, response.path("aggregations").path(SearchRequestFactory.VALUE_AGGREGATION));
            case RATIO -> ratio(rule, response.path("aggregations").path(SearchRequestFactory.VALUE_AGGREGATION),
                    totalHits(rule, response));
        };
        return new Page(List.of(value(rule, Map.of(), total, timestamp)), Optional.empty());
    }

    private static Page series(MetricRule rule, JsonNode composite, Instant timestamp, int pageSize) {
        if (composite.isMissingNode()) {
            throw incomplete(rule, "the answer has no series aggregation");
        }
        List<MetricValue> values = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        JsonNode buckets = composite.path("buckets");
        for (JsonNode bucket : buckets) {
            Map<String, String> labels = new LinkedHashMap<>();
            bucket.path("key").properties().forEach(entry -> {
                if (entry.getKey().equals(SearchRequestFactory.NAMESPACE_SOURCE)) {
                    namespaces.add(entry.getValue().asText());
                } else if (!entry.getValue().isNull()) {
                    labels.put(entry.getKey(), entry.getValue().asText());
                }
            });
            BigDecimal value = switch (rule.aggregation()) {
                case RATE, COUNT -> fromCount(rule, bucket.path("doc_count").asLong());
                case LATEST -> latest(rule, bucket.path(SearchRequestFactory.VALUE_AGGREGATION));
                case PERCENTILE -> percentile(rule, bucket.path(SearchRequestFactory.VALUE_AGGREGATION));
                default -> metricValue(rule, bucket.path(SearchRequestFactory.VALUE_AGGREGATION).path("value"));
            };
            values.add(value(rule, labels, value, timestamp));
        }
        JsonNode afterKey = composite.path("after_key");
        boolean mayHaveMore = buckets.size() >= pageSize && afterKey.isObject();
        return new Page(values, namespaces, mayHaveMore ? Optional.of(afterKey) : Optional.empty());
    }

    private static void requireComplete(MetricRule rule, JsonNode response) {
        incompleteness(response).ifPresent(reason -> {
            throw incomplete(rule, reason);
        });
    }

    /**
     * Why a search answer does not cover every shard, if it does not: it timed out, a shard failed, or (as OpenSearch
     * reports a shard that is not allocated) a shard neither answered nor failed. Such an answer would undercount.
     */
    static Optional<String> incompleteness(JsonNode response) {
        if (response.path("timed_out").asBoolean(false)) {
            return Optional.of("the search timed out before every shard answered");
        }
        JsonNode shards = response.path("_shards");
        int total = shards.path("total").asInt(0);
        int failed = shards.path("failed").asInt(0);
        if (failed > 0) {
            String reason = shards.path("failures").path(0).path("reason").path("reason").asText("unknown reason");
            return Optional.of(failed + " of " + total + " shards failed: " + reason);
        }
        int answered = shards.path("successful").asInt(total) + shards.path("skipped").asInt(0);
        if (answered < total) {
            return Optional.of("only " + answered + " of " + total + " shards answered (the others are not allocated)");
        }
        return Optional.empty();
    }

    private static long totalHits(MetricRule rule, JsonNode response) {
        JsonNode total = response.path("hits").path("total");
        if (!total.path("value").canConvertToLong() || !"eq".equals(total.path("relation").asText("eq"))) {
            throw incomplete(rule, "the answer has no exact hit count");
        }
        return total.path("value").asLong();
    }

    private static BigDecimal fromCount(MetricRule rule, long count) {
        if (rule.aggregation() == Aggregation.COUNT) {
            return BigDecimal.valueOf(count);
        }
        return BigDecimal.valueOf(count * 1000L).divide(BigDecimal.valueOf(rule.window().toMillis()), MathContext.DECIMAL64);
    }

    /** The value field of the newest sample, or zero when no sample is recent enough. */
    private static BigDecimal latest(MetricRule rule, JsonNode topHits) {
        JsonNode newest = topHits.path("hits").path("hits").path(0);
        if (newest.isMissingNode()) {
            return BigDecimal.ZERO;
        }
        return metricValue(rule, newest.path("fields").path(rule.field().orElseThrow()).path(0));
    }

    /** The one percentile asked for ({@code keyed: false}); no document in the window: zero, as for avg. */
    private static BigDecimal percentile(MetricRule rule, JsonNode percentiles) {
        JsonNode values = percentiles.path("values");
        if (!values.isArray() || values.size() != 1) {
            throw incomplete(rule, "the answer has no percentile");
        }
        return metricValue(rule, values.path(0).path("value"));
    }

    /**
     * The numerator's count over the window's, as a fraction. No event in the window reads 0: no traffic asks for no
     * capacity against errors, and an HPA must not scale on 0/0 (an error or a held value would keep a quiet service
     * from ever scaling in).
     */
    private static BigDecimal ratio(MetricRule rule, JsonNode numerator, long denominator) {
        if (denominator == 0) {
            return BigDecimal.ZERO;
        }
        if (!numerator.path("doc_count").canConvertToLong()) {
            throw incomplete(rule, "the answer has no numerator count");
        }
        return BigDecimal.valueOf(numerator.path("doc_count").asLong())
                .divide(BigDecimal.valueOf(denominator), MathContext.DECIMAL64);
    }

    /** An aggregation value: {@code null} (no documents) is zero; anything else must be a finite number. */
    private static BigDecimal metricValue(MetricRule rule, JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return BigDecimal.ZERO;
        }
        if (value.isNumber() && !(value.isDouble() && !Double.isFinite(value.doubleValue()))) {
            return value.decimalValue();
        }
        if (value.isTextual()) {
            try {
                BigDecimal number = new BigDecimal(value.asText());
                // A numeric field Elasticsearch returns is a double at most: text beyond its range (1e-999999999) is
                // not a value, and adding it to others would expand its exponent digit by digit.
                if (Math.abs((long) number.precision() - number.scale()) <= DOUBLE_DECIMAL_RANGE) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // falls through to the failure below
            }
        }
        throw new BackendUnavailableException("Elasticsearch returned a value that is not a finite number for metric "
                + rule.name() + " (field " + rule.field().orElse("?") + "): " + value);
    }

    private static MetricValue value(MetricRule rule, Map<String, String> labels, BigDecimal value, Instant timestamp) {
        return new MetricValue(rule.name(), labels, value, timestamp, rule.reportedWindow());
    }

    private static BackendUnavailableException incomplete(MetricRule rule, String reason) {
        return new BackendUnavailableException("Elasticsearch gave no complete answer for metric " + rule.name() + ": " + reason);
    }
}

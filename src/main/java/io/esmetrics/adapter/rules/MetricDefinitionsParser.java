package io.esmetrics.adapter.rules;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a metric definitions document:
 * <pre>
 * metrics:
 *   gpu_utilization:
 *     indexPattern: gpu-*
 *     aggregation: avg
 *     field: gpu.utilization
 * </pre>
 * Unknown keys are errors, so a typo fails start-up instead of silently changing a metric.
 */
public final class MetricDefinitionsParser {

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .annotationIntrospector(new StrictEnums())
            .build();

    private MetricDefinitionsParser() {
    }

    /** @param source where the text came from, for error messages (a file path, a ConfigMap key) */
    public static List<MetricRule> parse(String source, String yaml) {
        JsonNode document;
        try {
            document = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new InvalidMetricDefinitionException(source, "not valid YAML: " + e.getOriginalMessage());
        }
        if (document == null || document.isMissingNode() || document.isNull()) {
            return List.of();
        }
        Iterator<String> topLevel = document.fieldNames();
        while (topLevel.hasNext()) {
            String key = topLevel.next();
            if (!key.equals("metrics")) {
                throw new InvalidMetricDefinitionException(source, "unknown top-level key '" + key + "'; expected 'metrics'");
            }
        }
        JsonNode metrics = document.path("metrics");
        if (!metrics.isObject()) {
            throw new InvalidMetricDefinitionException(source, "'metrics' must be a map of metric name to definition");
        }
        List<MetricRule> rules = new ArrayList<>();
        for (Map.Entry<String, JsonNode> metric : metrics.properties()) {
            rules.add(MetricRuleFactory.create(source, metric.getKey(), definition(source, metric.getKey(), metric.getValue())));
        }
        return rules;
    }

    private static MetricDefinition definition(String source, String name, JsonNode node) {
        try {
            return YAML.treeToValue(node, MetricDefinition.class);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new InvalidMetricDefinitionException(source, name, field.isEmpty() ? "(definition)" : field,
                    e.getOriginalMessage().lines().findFirst().orElse("invalid"));
        } catch (JsonProcessingException e) {
            throw new InvalidMetricDefinitionException(source, name, "(definition)", e.getOriginalMessage());
        }
    }

    /**
     * MetricDefinition reads an unknown enum value as absent, for ElasticsearchMetrics written against a newer CRD;
     * a file is read strictly: its unknown value fails with the values accepted.
     */
    private static final class StrictEnums extends JacksonAnnotationIntrospector {

        @Override
        public JsonFormat.Value findFormat(Annotated annotated) {
            JsonFormat.Value format = super.findFormat(annotated);
            return format == null ? null : format.withoutFeature(JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);
        }
    }
}

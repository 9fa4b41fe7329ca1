package io.esmetrics.adapter.externalmetrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The OpenAPI description of this API, in the two forms the aggregator fetches: v2 ({@code /openapi/v2}, merged
 * into the cluster's document) and v3 (one document per group version, what {@code kubectl explain} reads). Both
 * are rendered from one model: the schemas in {@code openapi/schemas.json}, the discovery operation and one
 * operation per metric.
 */
final class OpenApiDocuments {

    static final String SCHEMAS_RESOURCE = "openapi/schemas.json";
    private static final String V3_REF = "#/components/schemas/";
    private static final String V2_REF = "#/definitions/";
    private static final String METRIC_VALUE_LIST = "io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList";
    private static final String RESOURCE_LIST = "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList";
    private static final String STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
    private static final String TAG = "externalMetrics_v1beta1";

    private record Parameter(String name, String in, boolean required, String description) {
    }

    /**
     * A GET answering {@code answer}, or a Status with one of {@code errors} (rendered in code order). With a
     * {@code kind}, the operation says which kind it reads, as API servers do: {@code kubectl explain} finds a
     * resource's schema through the operation on its path.
     */
    private record Operation(String path, String description, String operationId, List<Parameter> parameters,
            String answer, Map<Integer, String> errors, Optional<String> kind) {
    }

    private static final Operation RESOURCES = new Operation(ExternalMetricsApi.PATH + "/", "get available resources",
            "getExternalMetricsV1beta1APIResources", List.of(), RESOURCE_LIST, Map.of(401, "Unauthorized"), Optional.empty());

    /** Each metric is a resource of its own, as discovery lists it. */
    private static Operation metric(String name) {
        return new Operation(ExternalMetricsApi.PATH + "/namespaces/{namespace}/" + name,
                "read the current values of metric " + name + ", one item per series; the items add up to the "
                        + "metric's total for the selector",
                "readExternalMetricsV1beta1Namespaced_" + name,
                List.of(new Parameter("namespace", "path", true, "the namespace of the HPA asking"),
                        new Parameter("labelSelector", "query", false,
                                "A selector to restrict the series by their labels. Defaults to every series."),
                        new Parameter("explain", "query", false,
                                "true: instead of the values, an ExternalMetricExplanation for a person: the rule, the"
                                        + " Elasticsearch request, the answer and where it comes from; with target"
                                        + " (and targetType, replicas), what the HPA computes. Never asked by the HPA.")),
                METRIC_VALUE_LIST,
                Map.of(400, "BadRequest: a malformed selector or an undeclared label", 401, "Unauthorized",
                        403, "Forbidden", 404, "NotFound: no such metric in this namespace",
                        503, "ServiceUnavailable: Elasticsearch cannot answer and no recent value is known"),
                Optional.of("ExternalMetricValueList"));
    }

    private static List<Operation> operations(Collection<String> metrics) {
        List<Operation> operations = new ArrayList<>();
        operations.add(RESOURCES);
        new TreeSet<>(metrics).forEach(name -> operations.add(metric(name)));
        return operations;
    }

    private final ObjectMapper mapper;
    private final String schemas;

    OpenApiDocuments(ObjectMapper mapper) {
        this.mapper = mapper;
        try (InputStream in = OpenApiDocuments.class.getClassLoader().getResourceAsStream(SCHEMAS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMAS_RESOURCE + " is missing from the application");
            }
            this.schemas = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ObjectNode v3(Collection<String> metrics) {
        ObjectNode document = mapper.createObjectNode().put("openapi", "3.0.0");
        document.set("info", info());
        ObjectNode paths = document.putObject("paths");
        for (Operation operation : operations(metrics)) {
            ObjectNode get = paths.putObject(operation.path()).putObject("get");
            describe(get, operation);
            ArrayNode parameters = get.putArray("parameters");
            operation.parameters().forEach(parameter -> parameter(parameters, parameter).putObject("schema").put("type", "string"));
            ObjectNode responses = get.putObject("responses");
            answer(responses, 200, "OK").putObject("content").putObject("application/json").putObject("schema")
                    .put("$ref", V3_REF + operation.answer());
            new TreeMap<>(operation.errors()).forEach((code, description) -> answer(responses, code, description).putObject("content")
                    .putObject("application/json").putObject("schema").put("$ref", V3_REF + STATUS));
        }
        document.putObject("components").set("schemas", read(schemas));
        return document;
    }

    ObjectNode v2(Collection<String> metrics) {
        ObjectNode document = mapper.createObjectNode().put("swagger", "2.0");
        document.set("info", info());
        ObjectNode paths = document.putObject("paths");
        for (Operation operation : operations(metrics)) {
            ObjectNode get = paths.putObject(operation.path()).putObject("get");
            describe(get, operation);
            get.putArray("produces").add("application/json");
            get.putArray("schemes").add("https");
            ArrayNode parameters = get.putArray("parameters");
            operation.parameters().forEach(parameter -> parameter(parameters, parameter).put("type", "string"));
            ObjectNode responses = get.putObject("responses");
            answer(responses, 200, "OK").putObject("schema").put("$ref", V2_REF + operation.answer());
            new TreeMap<>(operation.errors()).forEach((code, description) ->
                    answer(responses, code, description).putObject("schema").put("$ref", V2_REF + STATUS));
        }
        document.set("definitions", read(schemas.replace(V3_REF, V2_REF)));
        return document;
    }

    private ObjectNode info() {
        return mapper.createObjectNode().put("title", "es-metrics-adapter").put("version", ExternalMetricsApi.VERSION);
    }

    private static void describe(ObjectNode get, Operation operation) {
        get.putArray("tags").add(TAG);
        get.put("description", operation.description());
        get.put("operationId", operation.operationId());
        operation.kind().ifPresent(kind -> {
            get.put("x-kubernetes-action", "get");
            get.putObject("x-kubernetes-group-version-kind").put("group", ExternalMetricsApi.GROUP)
                    .put("kind", kind).put("version", ExternalMetricsApi.VERSION);
        });
    }

    private static ObjectNode parameter(ArrayNode parameters, Parameter parameter) {
        return parameters.addObject().put("name", parameter.name()).put("in", parameter.in())
                .put("required", parameter.required()).put("description", parameter.description());
    }

    private static ObjectNode answer(ObjectNode responses, int code, String description) {
        return responses.putObject(Integer.toString(code)).put("description", description);
    }

    private ObjectNode read(String json) {
        try {
            return (ObjectNode) mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(SCHEMAS_RESOURCE + " is not valid JSON", e);
        }
    }
}

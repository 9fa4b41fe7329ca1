package io.esmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.OpenApi30;
import com.networknt.schema.keyword.NonValidationKeyword;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.esmetrics.adapter.rules.InvalidMetricDefinitionException;
import io.esmetrics.adapter.rules.MetricDefinitionsParser;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD's schema (what {@code kubectl apply} refuses) and the definitions file parser (what fails start-up) judge
 * a metric definition alike: one table of inputs goes through both. The schema is the committed CRD's
 * {@code openAPIV3Schema}, checked as the API server checks it: a JSON-schema validator (networknt, OpenAPI 3.0
 * dialect) for types, enums, patterns and required fields, and a CEL interpreter (cel-java, the language of
 * {@code x-kubernetes-validations}) for the rules. Both MetricDefinition's annotations and MetricRuleFactory take
 * their patterns from the same constants; this test shows that they also agree where the schema is expressed
 * differently (enums, a CEL rule).
 * <p>
 * Where they differ, each input is listed with the reason: {@link #refusedByTheAdapterOnly()} (a resource is
 * applied, then marked Invalid and not served) and {@link #refusedByTheSchemaOnly()} (what the YAML of a file reads
 * more leniently than a resource's JSON). Closing a gap of the first list means a new schema rule, which changes
 * what {@code kubectl apply} accepts: a decision of its own, not a refactoring.
 * <p>
 * Not modelled: the metric name of a resource is its {@code metadata.name}, which the API server checks as a DNS
 * subdomain before any schema (so {@code Errors} or {@code queue_length} never reach the adapter).
 */
class SchemaAgreesWithParserTest {

    private static final ObjectMapper YAML = new YAMLMapper();
    /**
     * {@code self} is typed {@code dyn} here, where the API server types it from the schema: field selection and
     * {@code has()} behave alike on the JSON objects of these inputs.
     */
    private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .build();
    private static final CelRuntime CEL_RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    private static JsonNode specSchema;
    private static Schema validator;

    @BeforeAll
    static void readTheCommittedDefinition() throws IOException {
        JsonNode crd = YAML.readTree(Files.readString(CustomResourceDefinitionTest.COMMITTED));
        specSchema = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        assertThat(specSchema.isObject()).as("spec schema in %s", CustomResourceDefinitionTest.COMMITTED).isTrue();
        // The rules are CEL, evaluated below. JDK regular expressions here, RE2 in the API server: the patterns use
        // only what both read alike.
        Dialect kubernetes = Dialect.builder(OpenApi30.getInstance())
                .keyword(new NonValidationKeyword("x-kubernetes-validations"))
                .build();
        validator = SchemaRegistry.withDefaultDialect(kubernetes).getSchema(specSchema);
    }

    static Stream<Arguments> acceptedByBoth() {
        return Stream.of(
                arguments("a minimal count", "{indexPattern: ai-events-*, aggregation: count}"),
                arguments("a minimal rate", "{indexPattern: ai-events-*, aggregation: rate}"),
                arguments("every field", "{indexPattern: ai-events-*, timeField: '@timestamp', scope: Namespaced, "
                        + "namespaceField: kubernetes.namespace, filter: {event.dataset: [ai.request], "
                        + "http.response.status_code: ['500', '503']}, aggregation: sum, field: http.response.bytes, "
                        + "window: 2m, ingestLag: 5s, settle: 2s, staleness: 3m, stalledAfter: 1m, labels: {service: service.name}, "
                        + "description: 'free text, anything'}"),
                arguments("latest with its field", "{indexPattern: a, aggregation: latest, field: queue.length}"),
                arguments("avg with its field", "{indexPattern: a, aggregation: avg, field: x}"),
                arguments("min with its field", "{indexPattern: a, aggregation: min, field: x}"),
                arguments("max with its field", "{indexPattern: a, aggregation: max, field: x}"),
                arguments("percentile with its field and percent", "{indexPattern: a, aggregation: percentile, field: x, percent: 95}"),
                arguments("a fractional percent", "{indexPattern: a, aggregation: percentile, field: x, percent: 99.9}"),
                arguments("the lowest percent", "{indexPattern: a, aggregation: percentile, field: x, percent: 0}"),
                arguments("the highest percent", "{indexPattern: a, aggregation: percentile, field: x, percent: 100}"),
                arguments("ratio with its numerator", "{indexPattern: a, aggregation: ratio, filter: {event.dataset: [ai.request]}, "
                        + "numerator: {http.response.status_code: ['500', '503']}}"),
                arguments("ratio with labels and a window", "{indexPattern: a, aggregation: ratio, numerator: {a: [x]}, window: 5m, "
                        + "labels: {service: service.name}}"),
                arguments("an activation threshold and its lower bound",
                        "{indexPattern: a, aggregation: latest, field: x, activation: {threshold: 5, deactivateBelow: 2}}"),
                arguments("fractional activation bounds",
                        "{indexPattern: a, aggregation: rate, activation: {threshold: 0.5, deactivateBelow: 0.05}}"),
                arguments("a fractional threshold above a whole lower bound",
                        "{indexPattern: a, aggregation: rate, activation: {threshold: 1.5, deactivateBelow: 1}}"),
                arguments("deactivation only at 0", "{indexPattern: a, aggregation: count, activation: {threshold: 1, deactivateBelow: 0}}"),
                arguments("scope Cluster without namespaceField", "{indexPattern: a, aggregation: count, scope: Cluster}"),
                arguments("several index patterns, an exclusion, a remote cluster",
                        "{indexPattern: 'logs-*,-logs-old,remote:metrics-*', aggregation: count}"),
                arguments("a pattern that starts like _all", "{indexPattern: '_all-logs,*-events', aggregation: count}"),
                arguments("compound and fractional durations",
                        "{indexPattern: a, aggregation: rate, window: 1h30m, ingestLag: 500ms, stalledAfter: 1.5m}"),
                arguments("the longest window", "{indexPattern: a, aggregation: rate, window: 24h}"),
                arguments("the longest window, written otherwise", "{indexPattern: a, aggregation: rate, window: 23h60m}"),
                arguments("the shortest staleness", "{indexPattern: a, aggregation: latest, field: x, staleness: 1ms}"),
                arguments("filter and scope Namespaced with namespaceField",
                        "{indexPattern: a, aggregation: count, scope: Namespaced, namespaceField: ns, filter: {a: [x], b: [v, w]}}"),
                arguments("stalledAfter 0s: never stalled", "{indexPattern: a, aggregation: rate, stalledAfter: 0s}"),
                arguments("field names with @, _ and -", "{indexPattern: a, aggregation: sum, timeField: '@ts', field: _bytes-in}"),
                arguments("a prefixed label key", "{indexPattern: a, aggregation: count, labels: {app.kubernetes.io/name: service.name}}"),
                arguments("a label key with _ and .", "{indexPattern: a, aggregation: count, labels: {status_code.class: code}}"));
    }

    /** The field is the one both name (the file parser in its message, the schema in its error or CEL message). */
    static Stream<Arguments> refusedByBoth() {
        return Stream.of(
                arguments("missing indexPattern", "indexPattern", "{aggregation: count}"),
                arguments("missing aggregation", "aggregation", "{indexPattern: a}"),
                arguments("empty indexPattern", "indexPattern", "{indexPattern: '', aggregation: count}"),
                arguments("upper case and / in indexPattern", "indexPattern", "{indexPattern: 'Logs/*', aggregation: count}"),
                arguments("an empty entry in indexPattern", "indexPattern", "{indexPattern: 'a,,b', aggregation: count}"),
                arguments("a space in indexPattern", "indexPattern", "{indexPattern: 'logs *', aggregation: count}"),
                arguments("an index pattern starting with .", "indexPattern", "{indexPattern: .monitoring-*, aggregation: count}"),
                arguments("every index: *", "indexPattern", "{indexPattern: '*', aggregation: count}"),
                arguments("every index: _all", "indexPattern", "{indexPattern: _all, aggregation: count}"),
                arguments("every index beside others", "indexPattern", "{indexPattern: 'logs-*,*', aggregation: count}"),
                arguments("unknown aggregation", "aggregation", "{indexPattern: a, aggregation: median}"),
                arguments("unknown scope", "scope", "{indexPattern: a, aggregation: count, scope: Everywhere}"),
                arguments("lower case scope", "scope", "{indexPattern: a, aggregation: count, scope: cluster}"),
                arguments("sum without field", "field", "{indexPattern: a, aggregation: sum}"),
                arguments("latest without field", "field", "{indexPattern: a, aggregation: latest}"),
                arguments("avg without field", "field", "{indexPattern: a, aggregation: avg}"),
                arguments("min without field", "field", "{indexPattern: a, aggregation: min}"),
                arguments("max without field", "field", "{indexPattern: a, aggregation: max}"),
                arguments("percentile without field", "field", "{indexPattern: a, aggregation: percentile, percent: 95}"),
                arguments("percentile without percent", "percent", "{indexPattern: a, aggregation: percentile, field: x}"),
                arguments("a percent over 100", "percent", "{indexPattern: a, aggregation: percentile, field: x, percent: 100.5}"),
                arguments("a negative percent", "percent", "{indexPattern: a, aggregation: percentile, field: x, percent: -1}"),
                arguments("avg with percent", "percent", "{indexPattern: a, aggregation: avg, field: x, percent: 95}"),
                arguments("count with percent", "percent", "{indexPattern: a, aggregation: count, percent: 50}"),
                arguments("ratio without numerator", "numerator", "{indexPattern: a, aggregation: ratio}"),
                arguments("ratio with an empty numerator", "numerator", "{indexPattern: a, aggregation: ratio, numerator: {}}"),
                arguments("a numerator field with no value", "numerator", "{indexPattern: a, aggregation: ratio, numerator: {a: []}}"),
                arguments("a null numerator value", "numerator", "{indexPattern: a, aggregation: ratio, numerator: {a: [null]}}"),
                arguments("ratio with field", "field", "{indexPattern: a, aggregation: ratio, numerator: {a: [x]}, field: x}"),
                arguments("ratio with percent", "percent", "{indexPattern: a, aggregation: ratio, numerator: {a: [x]}, percent: 5}"),
                arguments("count with numerator", "numerator", "{indexPattern: a, aggregation: count, numerator: {a: [x]}}"),
                arguments("activation without deactivateBelow", "activation",
                        "{indexPattern: a, aggregation: count, activation: {threshold: 5}}"),
                arguments("activation without threshold", "activation",
                        "{indexPattern: a, aggregation: count, activation: {deactivateBelow: 2}}"),
                arguments("deactivateBelow equal to threshold: no hysteresis", "activation",
                        "{indexPattern: a, aggregation: count, activation: {threshold: 2, deactivateBelow: 2}}"),
                arguments("deactivateBelow above threshold", "activation",
                        "{indexPattern: a, aggregation: count, activation: {threshold: 2, deactivateBelow: 5.5}}"),
                arguments("a negative deactivateBelow", "activation",
                        "{indexPattern: a, aggregation: count, activation: {threshold: 1, deactivateBelow: -1}}"),
                arguments("a negative threshold", "activation",
                        "{indexPattern: a, aggregation: count, activation: {threshold: -1, deactivateBelow: -2}}"),
                arguments("a threshold in words", "activation",
                        "{indexPattern: a, aggregation: count, activation: {threshold: five, deactivateBelow: 2}}"),
                arguments("a number as activation", "activation", "{indexPattern: a, aggregation: count, activation: 5}"),
                arguments("rate with field", "field", "{indexPattern: a, aggregation: rate, field: x}"),
                arguments("count with field", "field", "{indexPattern: a, aggregation: count, field: x}"),
                arguments("a window in words", "window", "{indexPattern: a, aggregation: rate, window: 1 minute}"),
                arguments("a window in days", "window", "{indexPattern: a, aggregation: rate, window: 1d}"),
                arguments("a negative window", "window", "{indexPattern: a, aggregation: rate, window: -1m}"),
                arguments("a window without unit", "window", "{indexPattern: a, aggregation: rate, window: 60}"),
                arguments("an empty window", "window", "{indexPattern: a, aggregation: rate, window: ''}"),
                arguments("a list as window", "window", "{indexPattern: a, aggregation: rate, window: [1m]}"),
                arguments("ingestLag with a dangling .", "ingestLag", "{indexPattern: a, aggregation: rate, ingestLag: 1.s}"),
                arguments("settle in words", "settle", "{indexPattern: a, aggregation: rate, settle: 2 seconds}"),
                arguments("staleness in microseconds", "staleness", "{indexPattern: a, aggregation: latest, field: x, staleness: 5us}"),
                arguments("stalledAfter with a space", "stalledAfter", "{indexPattern: a, aggregation: rate, stalledAfter: 1m 30s}"),
                arguments("a space in timeField", "timeField", "{indexPattern: a, aggregation: count, timeField: a b}"),
                arguments("an empty timeField", "timeField", "{indexPattern: a, aggregation: count, timeField: ''}"),
                arguments("namespaceField starting with -", "namespaceField", "{indexPattern: a, aggregation: count, namespaceField: -ns}"),
                arguments("field starting with .", "field", "{indexPattern: a, aggregation: sum, field: .x}"),
                arguments("a / in field", "field", "{indexPattern: a, aggregation: sum, field: a/b}"),
                arguments("a null filter value", "filter", "{indexPattern: a, aggregation: count, filter: {a: [null]}}"),
                arguments("a list as filter", "filter", "{indexPattern: a, aggregation: count, filter: [a]}"),
                arguments("a list as labels", "labels", "{indexPattern: a, aggregation: count, labels: [a]}"),
                arguments("a window of 0s", "window", "{indexPattern: a, aggregation: rate, window: 0s}"),
                arguments("a window of 0ms", "window", "{indexPattern: a, aggregation: rate, window: 0ms}"),
                arguments("a window over 24h", "window", "{indexPattern: a, aggregation: rate, window: 25h}"),
                arguments("a window just over 24h", "window", "{indexPattern: a, aggregation: rate, window: 23h60m1s}"),
                arguments("a staleness of 0s", "staleness", "{indexPattern: a, aggregation: latest, field: x, staleness: 0s}"),
                arguments("namespaceField with scope Cluster", "namespaceField",
                        "{indexPattern: a, aggregation: count, scope: Cluster, namespaceField: ns}"),
                arguments("a filter field with no value", "filter", "{indexPattern: a, aggregation: count, filter: {a: []}}"));
    }

    static Stream<Arguments> refusedByTheAdapterOnly() {
        return Stream.of(
                arguments("a filter field that is not a field name", "m",
                        "{indexPattern: a, aggregation: count, filter: {'a b': [x]}}",
                        "a structural schema cannot constrain map keys (no propertyNames); a CEL pattern on every key "
                                + "fits the API server's CEL cost budget only with bounds on the map and its keys"),
                arguments("a numerator field that is not a field name", "m",
                        "{indexPattern: a, aggregation: ratio, numerator: {'a b': [x]}}",
                        "a structural schema cannot constrain map keys (no propertyNames); a CEL pattern on every key "
                                + "fits the API server's CEL cost budget only with bounds on the map and its keys"),
                arguments("a label key that is not a Kubernetes label key", "m",
                        "{indexPattern: a, aggregation: count, labels: {'-x': f}}",
                        "a structural schema cannot constrain map keys (no propertyNames); a CEL pattern on every key "
                                + "fits the API server's CEL cost budget only with bounds on the map and its keys"),
                arguments("a label field that is not a field name", "m",
                        "{indexPattern: a, aggregation: count, labels: {x: 'a b'}}",
                        "the generated schema has no pattern for map values"),
                arguments("an unknown key", "m", "{indexPattern: a, aggregation: rate, windw: 2m}",
                        "the schema leaves unknown fields to the API server, which prunes them; kubectl apply refuses "
                                + "them with its default field validation (--validate=strict)"),
                arguments("a metric name starting with a digit", "5xx-errors", "{indexPattern: a, aggregation: count}",
                        "a resource's name is metadata.name, outside the spec's schema; as a DNS subdomain it may start "
                                + "with a digit"));
    }

    static Stream<Arguments> refusedByTheSchemaOnly() {
        return Stream.of(
                arguments("a single filter value instead of a list", "{indexPattern: a, aggregation: count, filter: {a: x}}",
                        "a file may write one value without a list (ACCEPT_SINGLE_VALUE_AS_ARRAY); a resource writes a list"),
                arguments("numbers as filter values", "{indexPattern: a, aggregation: count, filter: {a: [500, 503]}}",
                        "a file's YAML numbers read as text where text is expected; a resource's JSON types are checked"),
                arguments("a number as description", "{indexPattern: a, aggregation: count, description: 5}",
                        "a file's YAML numbers read as text where text is expected; a resource's JSON types are checked"),
                arguments("a threshold written as text",
                        "{indexPattern: a, aggregation: count, activation: {threshold: '5', deactivateBelow: 2}}",
                        "a file's YAML text reads as a number where a number is expected; a resource's JSON types are "
                                + "checked"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void acceptedByBoth(String what, String definition) {
        assertThat(fileProblem("m", definition)).as("definitions file").isEmpty();
        assertThat(schemaProblems(definition)).as("CRD schema").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedByBoth(String what, String field, String definition) {
        assertThat(fileProblem("m", definition)).as("definitions file")
                .hasValueSatisfying(problem -> assertThat(problem.field()).startsWith(field));
        assertThat(schemaProblems(definition)).as("CRD schema").anySatisfy(problem -> assertThat(problem).contains(field));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedByTheAdapterOnly(String what, String name, String definition, String why) {
        assertThat(fileProblem(name, definition)).as("definitions file").isPresent();
        assertThat(schemaProblems(definition)).as("CRD schema, because %s", why).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedByTheSchemaOnly(String what, String definition, String why) {
        assertThat(fileProblem("m", definition)).as("definitions file, because %s", why).isEmpty();
        assertThat(schemaProblems(definition)).as("CRD schema").isNotEmpty();
    }

    /** The definition as an entry of a definitions file, read as the adapter reads one at start-up. */
    private static Optional<InvalidMetricDefinitionException> fileProblem(String name, String definition) {
        try {
            MetricDefinitionsParser.parse("test.yaml", "metrics:\n  '" + name + "': " + definition + "\n");
            return Optional.empty();
        } catch (InvalidMetricDefinitionException e) {
            return Optional.of(e);
        }
    }

    /** The definition as the spec of a resource, checked as the API server checks it: empty when it is admitted. */
    private static List<String> schemaProblems(String definition) {
        JsonNode spec;
        try {
            spec = YAML.readTree(definition);
        } catch (IOException e) {
            throw new IllegalArgumentException("not YAML: " + definition, e);
        }
        List<String> problems = new ArrayList<>();
        validator.validate(spec).forEach(error -> problems.add(error.getInstanceLocation() + ": " + error.getMessage()));
        celViolations(specSchema, spec, problems);
        return problems;
    }

    /** Evaluates the {@code x-kubernetes-validations} rules of {@code schema} and of its properties, items and values. */
    private static void celViolations(JsonNode schema, JsonNode value, List<String> problems) {
        schema.path("x-kubernetes-validations").forEach(rule -> violation(rule, value).ifPresent(problems::add));
        if (value.isObject()) {
            value.properties().forEach(property -> {
                JsonNode declared = schema.path("properties").path(property.getKey());
                JsonNode propertySchema = declared.isMissingNode() ? schema.path("additionalProperties") : declared;
                if (propertySchema.isObject()) {
                    celViolations(propertySchema, property.getValue(), problems);
                }
            });
        } else if (value.isArray() && schema.path("items").isObject()) {
            value.forEach(item -> celViolations(schema.path("items"), item, problems));
        }
    }

    private static Optional<String> violation(JsonNode rule, JsonNode self) {
        String expression = rule.path("rule").asText();
        try {
            Object result = CEL_RUNTIME.createProgram(CEL.compile(expression).getAst()).eval(Map.of("self", celValue(self)));
            return Boolean.TRUE.equals(result) ? Optional.empty() : Optional.of(rule.path("message").asText(expression));
        } catch (CelEvaluationException e) {
            // The API server refuses an object on which a rule fails to evaluate (e.g. no such key) too.
            return Optional.of(rule.path("message").asText(expression) + " (" + e.getMessage() + ")");
        } catch (dev.cel.common.CelValidationException e) {
            throw new AssertionError("the CRD holds a rule CEL cannot compile: " + expression, e);
        }
    }

    private static Object celValue(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                node.properties().forEach(property -> map.put(property.getKey(), celValue(property.getValue())));
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                node.forEach(item -> list.add(celValue(item)));
                yield list;
            }
            case STRING -> node.textValue();
            case NUMBER -> node.isIntegralNumber() ? (Object) node.longValue() : (Object) node.doubleValue();
            case BOOLEAN -> node.booleanValue();
            default -> NullValue.NULL_VALUE;
        };
    }
}

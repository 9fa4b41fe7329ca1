package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.IngestNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped final pipeline of the event indices (k8s/elasticsearch/ai-events-final-pipeline.yaml) run by a real
 * engine: what Filebeat ships through Logstash (a container's line and its pod's metadata) becomes the event contract,
 * and nothing a line says can choose the namespace, pod or service its numbers count for. Documents are written as
 * Logstash writes them (bulk {@code create}) into the index template's indices, so the template's final pipeline runs.
 *
 * <p>On OpenSearch only ({@link IngestNode}): the integ-test distributions have no ingest processors, and OpenSearch's
 * modules are on Maven Central where Elasticsearch's are not. The pipeline uses processors and Painless that both
 * engines share.
 */
class EventPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger INDICES = new AtomicInteger();
    /** When the container wrote the line, as its runtime stamped it: Filebeat's container parser makes it @timestamp. */
    private static final String READ_AT = "2026-12-07T09:59:59.500Z";
    private static ElasticsearchProcess node;

    @BeforeAll
    static void startTheNode() {
        node = IngestNode.start();
        node.installShippedEventPipeline();
    }

    @AfterAll
    static void stopTheNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aQueueSampleTakesItsNamespacePodAndServiceFromThePodAndOnlyItsNumbersFromTheLine() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        JsonNode event = indexed(shipped(pod("ai-services", "chat-7d9f", "chat", "chat"),
                "{\"type\":\"queue\",\"queue\":\"inference\",\"length\":12}"));

        assertThat(event.path("kubernetes").path("namespace").asText()).isEqualTo("ai-services");
        assertThat(event.path("kubernetes").path("pod").path("name").asText()).isEqualTo("chat-7d9f");
        assertThat(event.path("service").path("name").asText()).isEqualTo("chat");
        assertThat(event.path("event").path("dataset").asText()).isEqualTo("ai.queue");
        assertThat(event.path("queue").path("name").asText()).isEqualTo("inference");
        assertThat(event.path("queue").path("length").asDouble()).isEqualTo(12.0);
        assertThat(event.path("@timestamp").asText()).as("when the container wrote the line").isEqualTo(READ_AT);
        assertThat(Instant.parse(event.path("event").path("ingested").asText())).isAfterOrEqualTo(before);
        // Exactly the contract: Beats' fields, the labels and the line itself are gone.
        assertThat(Manifests.fieldNames(event)).containsExactlyInAnyOrder("@timestamp", "kubernetes", "service", "event", "queue");
        assertThat(Manifests.fieldNames(event.path("kubernetes"))).containsExactlyInAnyOrder("namespace", "pod");
        assertThat(Manifests.fieldNames(event.path("event"))).containsExactlyInAnyOrder("dataset", "ingested");
    }

    @Test
    void aRequestEventKeepsItsStatusMethodAndDurationInTheContractsUnits() {
        JsonNode event = indexed(shipped(pod("ai-services", "chat-7d9f", "chat", "chat"),
                "{\"type\":\"request\",\"status_code\":503,\"method\":\"post\",\"duration_ms\":35.5}"));

        assertThat(event.path("event").path("dataset").asText()).isEqualTo("ai.request");
        assertThat(event.path("http").path("response").path("status_code").asInt()).isEqualTo(503);
        assertThat(event.path("http").path("request").path("method").asText()).isEqualTo("POST");
        assertThat(event.path("event").path("duration").asLong()).as("nanoseconds").isEqualTo(35_500_000L);
    }

    /**
     * Issue 21, part 1b: a producer whose clock runs ahead (or which writes a local time as if it were UTC) cannot
     * move its events, nor any metric's watermark: a time the line states is not read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2026-12-07T10:02:59.500Z", "2026-12-07T11:59:59.500", "1796637779500"})
    void anEventHappenedWhenItsContainerWroteTheLineWhateverTimeTheLineStates(String stated) {
        JsonNode event = indexed(shipped(pod("ai-services", "chat-7d9f", "chat", "chat"),
                "{\"type\":\"request\",\"status_code\":200,\"timestamp\":\"" + stated + "\",\"@timestamp\":\"" + stated + "\"}"));

        assertThat(event.path("@timestamp").asText()).isEqualTo(READ_AT);
    }

    @Test
    void anInboundIstioAccessLogIsARequestOfTheSidecarsCanonicalService() {
        ObjectNode sidecar = pod("ai-services", "chat-7d9f", "istio-proxy", null);
        ((ObjectNode) sidecar.path("kubernetes").path("labels")).put("service_istio_io/canonical-name", "chat");
        JsonNode event = indexed(shipped(sidecar, "{\"upstream_cluster\":\"inbound|8080||\",\"response_code\":200,"
                + "\"method\":\"GET\",\"duration\":12,\"start_time\":\"2026-12-07T10:00:00.123Z\"}"));

        assertThat(event.path("service").path("name").asText()).isEqualTo("chat");
        assertThat(event.path("event").path("dataset").asText()).isEqualTo("ai.request");
        assertThat(event.path("http").path("response").path("status_code").asInt()).isEqualTo(200);
        assertThat(event.path("event").path("duration").asLong()).isEqualTo(12_000_000L);
        assertThat(event.path("@timestamp").asText()).isEqualTo("2026-12-07T10:00:00.123Z");
    }

    @Test
    void anAccessLogWhoseStartIsNoTimeIsRefused() {
        ObjectNode sidecar = pod("ai-services", "chat-7d9f", "istio-proxy", null);
        ((ObjectNode) sidecar.path("kubernetes").path("labels")).put("service_istio_io/canonical-name", "chat");

        String index = freshIndex();

        JsonNode item = write(index, shipped(sidecar, "{\"upstream_cluster\":\"inbound|8080||\",\"response_code\":200,"
                + "\"start_time\":\"yesterday\"}"));

        assertRefused(index, item, "refused: start_time is an ISO 8601 time");
    }

    @Test
    void anOutboundIstioAccessLogIsNoRequestTheServiceServed() {
        ObjectNode sidecar = pod("ai-services", "chat-7d9f", "istio-proxy", null);
        ((ObjectNode) sidecar.path("kubernetes").path("labels")).put("service_istio_io/canonical-name", "chat");
        String index = freshIndex();

        JsonNode item = write(index, shipped(sidecar, "{\"upstream_cluster\":\"outbound|443||api.example.com\",\"response_code\":200}"));

        assertThat(item.path("status").asInt()).as(item.toString()).isLessThan(300);
        assertThat(count(index, "{\"match_all\":{}}")).isZero();
    }

    /**
     * The attack of issue 22, as it arrives now that events travel as lines: a pod of another namespace writes the
     * payments team's queue with a huge length, in every way a line could name the namespace or the service. None is
     * stored, and nothing any served metric reads for payments exists.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("forgedIdentities")
    void aLineThatNamesItsNamespaceOrServiceIsRefusedAndCountsForNoOne(String forgery, String line) {
        String index = freshIndex();

        JsonNode item = write(index, shipped(pod("intruder", "curl-5c4b", "curl", "curl"), line));

        assertRefused(index, item, "the namespace, pod and service of an event come from the pod");
        for (MetricRule metric : namespacedEventMetrics()) {
            String field = metric.namespaceField().orElseThrow();
            assertThat(count("ai-events-*", "{\"term\":{\"" + field + "\":\"payments\"}}")).as(metric.name()).isZero();
        }
    }

    static List<Arguments> forgedIdentities() {
        String huge = ",\"queue\":\"q\",\"length\":1000000000}";
        return List.of(
                Arguments.of("the issue's request", "{\"type\":\"queue\",\"namespace\":\"payments\",\"service\":\"api\"" + huge),
                Arguments.of("the short form's namespace alone", "{\"type\":\"queue\",\"namespace\":\"payments\"" + huge),
                Arguments.of("the contract's kubernetes object", "{\"type\":\"queue\",\"kubernetes\":{\"namespace\":\"payments\"}" + huge),
                Arguments.of("a dotted kubernetes.namespace key", "{\"type\":\"queue\",\"kubernetes.namespace\":\"payments\"" + huge),
                Arguments.of("a service of its own", "{\"type\":\"queue\",\"service\":{\"name\":\"api\"}" + huge),
                Arguments.of("a dotted service.name key", "{\"type\":\"queue\",\"service.name\":\"api\"" + huge));
    }

    /**
     * What bypasses Filebeat (a sender writing to Logstash or Elasticsearch itself) has no pod metadata, or claims it
     * at the top level without a line: refused, never defaulted, even when the request asks to skip pipelines.
     */
    @Test
    void aDocumentWithoutAPodsLineAndMetadataIsRefusedEvenWhenTheRequestSkipsPipelines() {
        String index = freshIndex();
        String contract = "{\"@timestamp\":\"" + Instant.now() + "\",\"kubernetes\":{\"namespace\":\"payments\"},"
                + "\"service\":{\"name\":\"api\"},\"event\":{\"dataset\":\"ai.queue\"},\"queue\":{\"name\":\"q\",\"length\":1000000000}}";

        JsonNode direct = node.request("POST", "/_bulk?pipeline=_none", "{\"create\":{\"_index\":\"" + index + "\"}}\n" + contract + "\n")
                .path("items").path(0).path("create");
        ObjectNode withoutNamespace = shipped(pod("ai-services", "chat-7d9f", "chat", "chat"), "{\"type\":\"queue\",\"length\":1}");
        ((ObjectNode) withoutNamespace.path("kubernetes")).remove("namespace");
        ObjectNode withoutPod = shipped(pod("ai-services", "chat-7d9f", "chat", "chat"), "{\"type\":\"queue\",\"length\":1}");
        ((ObjectNode) withoutPod.path("kubernetes")).remove("pod");

        assertThat(direct.path("status").asInt()).as(direct.toString()).isEqualTo(400);
        assertThat(direct.path("error").toString()).contains("refused: an event needs the line a container wrote");
        assertThat(write(index, withoutNamespace).path("status").asInt()).isEqualTo(400);
        assertThat(write(index, withoutPod).path("status").asInt()).isEqualTo(400);
        assertThat(count(index, "{\"match_all\":{}}")).isZero();
    }

    @Test
    void aPodWithoutTheServiceLabelHasNoServiceToCountFor() {
        String index = freshIndex();

        JsonNode item = write(index, shipped(pod("ai-services", "chat-7d9f", "chat", null), "{\"type\":\"queue\",\"length\":1}"));

        assertRefused(index, item, "the pod has no label app.kubernetes.io/name");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void aLineWithWrongTypesOrImplausibleValuesIsRefusedWithItsReason(String line, String reason) {
        String index = freshIndex();

        JsonNode item = write(index, shipped(pod("ai-services", "chat-7d9f", "chat", "chat"), line));

        assertRefused(index, item, reason);
    }

    static List<Arguments> badLines() {
        return List.of(
                Arguments.of("not json", "refused: the line is not JSON"),
                Arguments.of("[1,2]", "refused: an event line is a JSON object"),
                Arguments.of("{\"type\":\"gauge\",\"length\":1}", "refused: type is queue or request"),
                Arguments.of("{\"queue\":\"q\",\"length\":1}", "refused: type is queue or request"),
                Arguments.of("{\"type\":\"queue\",\"queue\":\"q\"}", "refused: a queue sample has a length"),
                Arguments.of("{\"type\":\"queue\",\"length\":\"12\"}", "refused: a queue sample has a length"),
                Arguments.of("{\"type\":\"queue\",\"length\":-1}", "refused: a queue sample has a length"),
                Arguments.of("{\"type\":\"queue\",\"length\":1e12}", "refused: a queue sample has a length"),
                Arguments.of("{\"type\":\"queue\",\"length\":1,\"queue\":\"" + "q".repeat(257) + "\"}", "refused: queue is a name"),
                Arguments.of("{\"type\":\"queue\",\"length\":1,\"queue\":7}", "refused: queue is a name"),
                Arguments.of("{\"type\":\"request\"}", "refused: a request has a status_code"),
                Arguments.of("{\"type\":\"request\",\"status_code\":\"200\"}", "refused: a request has a status_code"),
                Arguments.of("{\"type\":\"request\",\"status_code\":200.5}", "refused: a request has a status_code"),
                Arguments.of("{\"type\":\"request\",\"status_code\":999}", "refused: a request has a status_code"),
                Arguments.of("{\"type\":\"request\",\"status_code\":200,\"method\":\"GET /admin\"}", "refused: method is an HTTP method"),
                Arguments.of("{\"type\":\"request\",\"status_code\":200,\"duration_ms\":-5}", "refused: a duration"),
                Arguments.of("{\"type\":\"request\",\"status_code\":200,\"duration_ms\":\"fast\"}", "refused: a duration"),
                Arguments.of("{\"type\":\"queue\",\"length\":1,\"padding\":\"" + "x".repeat(4100) + "\"}", "refused: an event line is at most 4096"));
    }

    /** Refusals are counted where an operator looks: the node's ingest statistics, per pipeline. */
    @Test
    void refusalsAreCountedInTheIngestStatistics() {
        long before = failedInThePipeline();

        write(freshIndex(), shipped(pod("intruder", "curl-5c4b", "curl", "curl"), "{\"type\":\"queue\",\"namespace\":\"payments\",\"length\":1}"));

        assertThat(failedInThePipeline()).isEqualTo(before + 1);
    }

    /** A pod's metadata as Filebeat's add_kubernetes_metadata writes it: label names with dots as underscores. */
    private static ObjectNode pod(String namespace, String name, String container, String serviceLabel) {
        ObjectNode kubernetes = JSON.createObjectNode();
        kubernetes.put("namespace", namespace);
        kubernetes.putObject("pod").put("name", name).put("uid", "3f0c6c47-0b5e-4f7e-9d0a-6b1f1f0e2a11");
        kubernetes.putObject("container").put("name", container);
        ObjectNode labels = kubernetes.putObject("labels");
        if (serviceLabel != null) {
            labels.put("app_kubernetes_io/name", serviceLabel);
        }
        labels.put("pod-template-hash", "7d9f");
        ObjectNode shipped = JSON.createObjectNode();
        shipped.set("kubernetes", kubernetes);
        return shipped;
    }

    /** What Logstash forwards of a line Filebeat read: the line as {@code message}, the pod, Beats' own fields. */
    private static ObjectNode shipped(ObjectNode pod, String line) {
        ObjectNode event = pod.deepCopy();
        event.put("@timestamp", READ_AT);
        event.put("message", line);
        event.put("stream", "stdout");
        event.putObject("agent").put("type", "filebeat").put("version", "8.19.0");
        event.putObject("log").put("file", JSON.createObjectNode().put("path", "/var/log/containers/x.log"));
        event.putObject("host").put("name", "node-1");
        return event;
    }

    /** A refused event: a 400 naming the reason (a writer does not retry it, as it would a 5xx), and nothing stored. */
    private static void assertRefused(String index, JsonNode item, String reason) {
        assertThat(item.path("status").asInt()).as(item.toString()).isEqualTo(400);
        assertThat(item.path("error").toString()).contains(reason);
        assertThat(count(index, "{\"match_all\":{}}")).isZero();
    }

    private static String freshIndex() {
        return "ai-events-test-" + INDICES.incrementAndGet();
    }

    /** Writes one document as Logstash does (bulk create) and returns its item of the answer. */
    private static JsonNode write(String index, ObjectNode document) {
        String body = "{\"create\":{\"_index\":\"" + index + "\"}}\n" + document + "\n";
        return node.request("POST", "/_bulk?refresh=true", body).path("items").path(0).path("create");
    }

    /** Writes one document, requires it stored, and returns what was stored. */
    private static JsonNode indexed(ObjectNode document) {
        String index = freshIndex();
        JsonNode item = write(index, document);
        assertThat(item.path("status").asInt()).as(item.toString()).isEqualTo(201);
        return node.request("GET", "/" + index + "/_doc/" + item.path("_id").asText(), null).path("_source");
    }

    private static long count(String indices, String query) {
        return node.request("POST", "/" + indices + "/_count?ignore_unavailable=true&allow_no_indices=true",
                "{\"query\":" + query + "}").path("count").asLong();
    }

    private static long failedInThePipeline() {
        JsonNode nodes = node.request("GET", "/_nodes/stats/ingest", null).path("nodes");
        return nodes.elements().next().path("ingest").path("pipelines").path("ai-events-final").path("failed").asLong();
    }

    /** The served metrics that read events, each scoped by a namespace field. */
    private static List<MetricRule> namespacedEventMetrics() {
        return Manifests.servedEventMetrics().stream().filter(rule -> rule.namespaceField().isPresent()).toList();
    }
}

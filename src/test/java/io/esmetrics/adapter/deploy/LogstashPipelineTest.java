package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.deploy.LogstashConfig.Block;
import io.esmetrics.adapter.rules.MetricRule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Logstash relays what Filebeat ships into the indices the adapter reads: one input, Beats with client certificates;
 * no filter (the final pipeline decides, k8s/elasticsearch/ai-events-final-pipeline.yaml); an output that writes with
 * a user who can add documents and nothing else, into indices whose template the setup Job installs. Logstash itself
 * cannot run here; its configuration is read as the adapter's counterpart.
 */
class LogstashPipelineTest {

    private static final Path INDEX_TEMPLATE = Path.of("k8s/elasticsearch/ai-events-index-template.json");

    private final Deployment logstash = Manifests.get(Deployment.class, "elastic", "logstash");
    private final LogstashConfig pipeline = new LogstashConfig(mountedFile("/usr/share/logstash/pipeline/ai-events.conf"));
    private final Block output = pipeline.plugin("output", "elasticsearch");
    private final ConfigMap setup = setupJobConfigMap();

    @Test
    void writesDailyIndicesThatEveryMetricIndexPatternMatches() {
        String index = todaysIndex();

        assertThat(index).matches("ai-events-\\d{4}\\.\\d{2}\\.\\d{2}");
        assertThat(Manifests.servedEventMetrics())
                .allSatisfy(rule -> assertThat(matches(rule.indexPattern(), index)).as(rule.name() + " reads " + rule.indexPattern()).isTrue());
    }

    /** Only Filebeat sends: no HTTP input (anyone could claim any namespace there), and Beats over mutual TLS. */
    @Test
    void acceptsOnlyBeatsWithAClientCertificateOfTheBeatsCa() {
        Block beats = pipeline.plugin("input", "beats");

        assertThat(pipeline.plugins("input")).extracting(Block::name).containsExactly("beats");
        assertThat(beats.required("ssl_enabled")).isEqualTo("true");
        assertThat(beats.required("ssl_client_authentication")).isEqualTo("required");
        assertThat(MountedFiles.secretKeyBehind(pod(), beats.required("ssl_certificate"))).isEqualTo("logstash-beats-certs/tls.crt");
        assertThat(MountedFiles.secretKeyBehind(pod(), beats.required("ssl_key"))).isEqualTo("logstash-beats-certs/tls.key");
        assertThat(MountedFiles.secretKeyBehind(pod(), beats.required("ssl_certificate_authorities"))).isEqualTo("logstash-beats-certs/ca.crt");
        assertThat(beats.setting("ssl_verify_mode")).as("replaced by ssl_client_authentication").isEmpty();
    }

    @Test
    void listensForBeatsWhereTheServiceSendsAndNowhereElse() {
        Block beats = pipeline.plugin("input", "beats");
        Service service = Manifests.get(Service.class, "elastic", "logstash");

        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(5044);
            assertThat(container().getPorts()).anySatisfy(containerPort -> {
                assertThat(containerPort.getName()).isEqualTo(port.getTargetPort().getStrVal());
                assertThat(containerPort.getContainerPort()).isEqualTo(Integer.parseInt(beats.required("port")));
            });
        });
        assertThat(container().getPorts()).extracting(port -> port.getContainerPort()).doesNotContain(8080);
    }

    /** What an event is worth and whose it is is decided in Elasticsearch, where it is tested, not here. */
    @Test
    void relaysWithoutAFilter() {
        assertThat(pipeline.section("filter")).isEmpty();
    }

    /**
     * The setup Job, not Logstash, installs the index template: a writer that could change the template could take its
     * final pipeline away.
     */
    @Test
    void leavesTheIndexTemplateAndItsFinalPipelineToTheSetupJob() {
        JsonNode template = Manifests.yaml(INDEX_TEMPLATE);

        assertThat(output.required("manage_template")).isEqualTo("false");
        assertThat(output.setting("template")).isEmpty();
        assertThat(Manifests.yaml(setup.getData().get("ai-events-index-template.json"))).isEqualTo(template);
        assertThat(setup.getData().get("setup-users.sh"))
                .contains("_index_template/ai-events\" --data-binary @/scripts/ai-events-index-template.json");
        assertThat(template.path("template").path("settings").path("index.final_pipeline").asText()).isEqualTo("ai-events-final");
        assertThat(template.path("index_patterns")).anySatisfy(pattern -> assertThat(matches(pattern.asText(), todaysIndex())).isTrue());
    }

    /**
     * Logstash's user adds documents to ai-events-* and lets a first document create its index from the template: no
     * index templates, and no explicit index creation, whose settings (index.final_pipeline: _none) would win over the
     * template's. The adapter's user only reads.
     */
    @Test
    void writerAddsDocumentsAndTheAdapterOnlyReads() {
        JsonNode writer = role("ai_events_writer");
        JsonNode reader = role("es_metrics_adapter_reader");

        assertThat(output.required("user")).isEqualTo("logstash_ai_events");
        assertThat(output.required("action")).isEqualTo("create");
        assertThat(user("logstash_ai_events").path("roles")).extracting(JsonNode::asText).containsExactly("ai_events_writer");
        assertThat(user("es-metrics-adapter").path("roles")).extracting(JsonNode::asText).containsExactly("es_metrics_adapter_reader");
        assertThat(writer.path("cluster")).extracting(JsonNode::asText).containsExactly("monitor");
        assertThat(writer.path("indices")).singleElement().satisfies(grant -> {
            assertThat(grant.path("names")).extracting(JsonNode::asText).containsExactly("ai-events-*");
            assertThat(grant.path("privileges")).extracting(JsonNode::asText).containsExactlyInAnyOrder("create_doc", "auto_configure");
        });
        assertThat(reader.path("cluster")).extracting(JsonNode::asText).containsExactly("monitor");
        assertThat(reader.path("indices")).singleElement().satisfies(grant ->
                assertThat(grant.path("privileges")).extracting(JsonNode::asText).containsExactlyInAnyOrder("read", "view_index_metadata"));
    }

    @Test
    void indexTemplateMapsEveryFieldTheMetricsQueryWithAFittingType() {
        JsonNode template = Manifests.yaml(INDEX_TEMPLATE);

        for (MetricRule rule : Manifests.servedEventMetrics()) {
            assertThat(mappedType(template, rule.timeField())).as(rule.name() + " time").isEqualTo("date");
            rule.namespaceField().ifPresent(field -> assertThat(mappedType(template, field)).as(rule.name() + " namespace").isEqualTo("keyword"));
            rule.field().ifPresent(field -> assertThat(mappedType(template, field)).as(rule.name() + " value").isIn("double", "float", "long", "integer"));
            rule.filter().keySet().forEach(field -> assertThat(mappedType(template, field)).as(rule.name() + " filter").isIn("keyword", "long", "integer"));
            rule.numerator().keySet().forEach(field -> assertThat(mappedType(template, field)).as(rule.name() + " numerator").isIn("keyword", "long", "integer"));
            rule.labels().values().forEach(field -> assertThat(mappedType(template, field)).as(rule.name() + " label").isIn("keyword", "long", "integer"));
        }
    }

    /**
     * Arrival is stamped by Elasticsearch, not by the sender: the template's final pipeline (which runs after any
     * other, and which a request cannot skip) sets {@code event.ingested} from the ingest timestamp, overriding a
     * value in the event, and the Job that creates it runs with the users, before Logstash can write. The integ-test
     * distributions have no ingest processors, so this is read, not run (docs/development.md).
     */
    @Test
    void elasticsearchStampsEachEventsArrivalInTheFieldTheAdapterReads() {
        JsonNode template = Manifests.yaml(INDEX_TEMPLATE);
        String finalPipeline = template.path("template").path("settings").path("index.final_pipeline").asText();
        JsonNode processors = Manifests.yaml(setup.getData().get("ai-events-final-pipeline.yaml")).path("processors");
        JsonNode stamp = processors.path(processors.size() - 1).path("set");

        assertThat(finalPipeline).isEqualTo("ai-events-final");
        assertThat(setup.getData().get("setup-users.sh"))
                .contains("_ingest/pipeline/" + finalPipeline + "\" --data-binary @/scripts/ai-events-final-pipeline.yaml");
        assertThat(stamp.path("field").asText()).as("adapter.elasticsearch.arrival-field").isEqualTo("event.ingested");
        assertThat(stamp.path("value").asText()).isEqualTo("{{{_ingest.timestamp}}}");
        assertThat(stamp.path("override").asBoolean()).isTrue();
        assertThat(mappedType(template, "event.ingested")).isEqualTo("date");
    }

    @Test
    void writesToTheElasticsearchServiceTrustingItsCaAndWithItsOwnPassword() {
        URI host = URI.create(output.required("hosts"));
        String[] serviceName = host.getHost().split("\\.");
        Service elasticsearch = Manifests.get(Service.class, serviceName[1], serviceName[0]);
        String passwordVariable = output.required("password").replaceAll("^\\$\\{(.+)}$", "$1");
        EnvVar password = container().getEnv().stream().filter(variable -> variable.getName().equals(passwordVariable)).findFirst().orElseThrow();

        assertThat(host.getScheme()).isEqualTo("https");
        assertThat(elasticsearch.getSpec().getPorts()).extracting(ServicePort::getPort).contains(host.getPort());
        assertThat(MountedFiles.secretKeyBehind(pod(), output.required("ssl_certificate_authorities"))).isEqualTo("elasticsearch-certs/ca.crt");
        assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("elasticsearch-credentials");
    }

    /** The index Logstash writes an event of today into, from its {@code index} setting. */
    private String todaysIndex() {
        Matcher date = Pattern.compile("%\\{\\+([^}]+)}").matcher(output.required("index"));
        assertThat(date.find()).isTrue();
        // Joda patterns as Logstash writes them: YYYY (week year in Joda, but Logstash documents it as the year), MM, dd.
        String javaPattern = date.group(1).replace("YYYY", "yyyy");
        return date.replaceFirst(LocalDate.of(2026, 11, 23).format(DateTimeFormatter.ofPattern(javaPattern)));
    }

    /** The body of a role the setup script PUTs, as JSON. */
    private JsonNode role(String name) {
        Matcher body = Pattern.compile("_security/role/" + Pattern.quote(name) + "\" \\\\\\s*-d '([^']*)'")
                .matcher(setup.getData().get("setup-users.sh"));
        assertThat(body.find()).as("role " + name + " in setup-users.sh").isTrue();
        return Manifests.yaml(body.group(1));
    }

    /** The body of a user the setup script PUTs, as JSON (its password variable left unexpanded). */
    private JsonNode user(String name) {
        Matcher body = Pattern.compile("_security/user/" + Pattern.quote(name) + "\" \\\\\\s*-d \"(.*)\"$", Pattern.MULTILINE)
                .matcher(setup.getData().get("setup-users.sh"));
        assertThat(body.find()).as("user " + name + " in setup-users.sh").isTrue();
        return Manifests.yaml(body.group(1).replace("\\\"", "\""));
    }

    private static ConfigMap setupJobConfigMap() {
        Job job = Manifests.get(Job.class, "elastic", "elasticsearch-setup-users");
        return Manifests.get(ConfigMap.class, "elastic", job.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(volume -> volume.getConfigMap() != null).findFirst().orElseThrow().getConfigMap().getName());
    }

    /** The file a Logstash container sees at {@code path}, read from the ConfigMap volume behind it. */
    private String mountedFile(String path) {
        Volume volume = MountedFiles.volumeBehind(pod(), path);
        String key = path.substring(path.lastIndexOf('/') + 1);
        ConfigMap configMap = Manifests.get(ConfigMap.class, "elastic", volume.getConfigMap().getName());
        assertThat(configMap.getData()).as(path).containsKey(key);
        return configMap.getData().get(key);
    }

    private PodSpec pod() {
        return logstash.getSpec().getTemplate().getSpec();
    }

    private Container container() {
        return logstash.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The mapped type of a dotted field in the template, or null. */
    private static String mappedType(JsonNode template, String field) {
        JsonNode node = template.path("template").path("mappings");
        for (String part : field.split("\\.")) {
            node = node.path("properties").path(part);
        }
        return node.hasNonNull("type") ? node.get("type").asText() : null;
    }

    /** Elasticsearch's reading of an index expression: comma-separated, {@code *} wildcards, {@code -} excludes. */
    static boolean matches(String expression, String index) {
        boolean included = false;
        for (String part : expression.split(",")) {
            boolean exclude = part.startsWith("-");
            String glob = exclude ? part.substring(1) : part;
            boolean hit = index.matches(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).reduce((a, b) -> a + ".*" + b).orElse(""));
            if (hit) {
                included = !exclude;
            }
        }
        return included;
    }
}

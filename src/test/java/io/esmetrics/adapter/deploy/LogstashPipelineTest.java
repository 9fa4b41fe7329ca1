package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.rules.ClusterHealthRule;
import io.esmetrics.adapter.rules.MetricRule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Logstash pipeline writes what the adapter reads: indices its metrics' patterns match, fields its
 * metrics query, mapped by the index template it ships. Logstash itself cannot run here; its configuration
 * is read as the adapter's counterpart.
 */
class LogstashPipelineTest {

    private static final Path INDEX_TEMPLATE = Path.of("k8s/logstash/ai-events-index-template.json");

    private final Deployment logstash = Manifests.get(Deployment.class, "elastic", "logstash");
    private final String pipeline = mountedFile("/usr/share/logstash/pipeline/ai-events.conf");

    /** The served metrics that read the events Logstash writes: all but the cluster's health, which reads no index. */
    private static java.util.List<MetricRule> eventMetrics() {
        return Manifests.servedMetrics().values().stream().filter(rule -> !ClusterHealthRule.is(rule)).toList();
    }

    @Test
    void writesDailyIndicesThatEveryMetricIndexPatternMatches() {
        String index = todaysIndex();

        assertThat(index).matches("ai-events-\\d{4}\\.\\d{2}\\.\\d{2}");
        assertThat(eventMetrics())
                .allSatisfy(rule -> assertThat(matches(rule.indexPattern(), index)).as(rule.name() + " reads " + rule.indexPattern()).isTrue());
    }

    @Test
    void installsTheIndexTemplateShippedInK8s() {
        String templateFile = quoted(setting("template"));
        JsonNode template = Manifests.yaml(mountedFile(templateFile));

        assertThat(setting("manage_template")).isEqualTo("true");
        assertThat(quoted(setting("template_api"))).isEqualTo("composable");
        assertThat(template).isEqualTo(Manifests.yaml(INDEX_TEMPLATE));
        assertThat(template.path("index_patterns")).anySatisfy(pattern -> assertThat(matches(pattern.asText(), todaysIndex())).isTrue());
    }

    @Test
    void indexTemplateMapsEveryFieldTheMetricsQueryWithAFittingType() {
        JsonNode template = Manifests.yaml(INDEX_TEMPLATE);

        for (MetricRule rule : eventMetrics()) {
            assertThat(mappedType(template, rule.timeField())).as(rule.name() + " time").isEqualTo("date");
            rule.namespaceField().ifPresent(field -> assertThat(mappedType(template, field)).as(rule.name() + " namespace").isEqualTo("keyword"));
            rule.field().ifPresent(field -> assertThat(mappedType(template, field)).as(rule.name() + " value").isIn("double", "float", "long", "integer"));
            rule.filter().keySet().forEach(field -> assertThat(mappedType(template, field)).as(rule.name() + " filter").isIn("keyword", "long", "integer"));
            rule.numerator().keySet().forEach(field -> assertThat(mappedType(template, field)).as(rule.name() + " numerator").isIn("keyword", "long", "integer"));
            rule.labels().values().forEach(field -> assertThat(mappedType(template, field)).as(rule.name() + " label").isIn("keyword", "long", "integer"));
        }
    }

    @Test
    void keepsOnlyFieldsThatTheIndexTemplateMaps() {
        Matcher list = Pattern.compile("@contract_fields = \\[([^]]*(?:\\][^]]*)*?)\\]\\s*'", Pattern.DOTALL).matcher(pipeline);
        assertThat(list.find()).as("the pipeline's list of contract fields").isTrue();
        List<String> fields = new ArrayList<>();
        Matcher path = Pattern.compile("\"((?:\\[[^]]+])+)\"").matcher(list.group(1));
        while (path.find()) {
            fields.add(path.group(1).replace("][", ".").replace("[", "").replace("]", ""));
        }
        JsonNode template = Manifests.yaml(INDEX_TEMPLATE);

        assertThat(fields).contains("kubernetes.namespace", "service.name", "event.dataset", "queue.name", "queue.length",
                "http.response.status_code");
        assertThat(fields).allSatisfy(field -> assertThat(mappedType(template, field)).as(field).isNotNull());
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
        ConfigMap setup = Manifests.get(ConfigMap.class, "elastic", Manifests.get(io.fabric8.kubernetes.api.model.batch.v1.Job.class,
                "elastic", "elasticsearch-setup-users").getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(volume -> volume.getConfigMap() != null).findFirst().orElseThrow().getConfigMap().getName());
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
        URI host = URI.create(quoted(setting("hosts")));
        String[] serviceName = host.getHost().split("\\.");
        Service elasticsearch = Manifests.get(Service.class, serviceName[1], serviceName[0]);
        String passwordVariable = quoted(setting("password")).replaceAll("^\\$\\{(.+)}$", "$1");
        EnvVar password = container().getEnv().stream().filter(variable -> variable.getName().equals(passwordVariable)).findFirst().orElseThrow();

        assertThat(host.getScheme()).isEqualTo("https");
        assertThat(elasticsearch.getSpec().getPorts()).extracting(ServicePort::getPort).contains(host.getPort());
        assertThat(mountedFile(quoted(setting("ssl_certificate_authorities")))).contains("BEGIN CERTIFICATE");
        assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("elasticsearch-credentials");
    }

    @Test
    void aiServicesSendTheirEventsToTheLogstashHttpInput() {
        Matcher input = Pattern.compile("http \\{[^}]*?port => (\\d+)", Pattern.DOTALL).matcher(pipeline);
        assertThat(input.find()).isTrue();
        Service service = Manifests.get(Service.class, "elastic", "logstash");

        for (Deployment aiService : Manifests.all(Deployment.class).stream()
                .filter(deployment -> "ai-services".equals(deployment.getMetadata().getNamespace())).toList()) {
            URI events = URI.create(aiService.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                    .filter(variable -> variable.getName().equals("EVENTS_URL")).findFirst().orElseThrow().getValue());
            ServicePort port = service.getSpec().getPorts().stream().filter(candidate -> candidate.getPort() == events.getPort()).findFirst().orElseThrow();

            assertThat(events.getHost()).isEqualTo("logstash.elastic.svc");
            assertThat(container().getPorts()).anySatisfy(containerPort -> {
                assertThat(containerPort.getName()).isEqualTo(port.getTargetPort().getStrVal());
                assertThat(containerPort.getContainerPort()).isEqualTo(Integer.parseInt(input.group(1)));
            });
        }
    }

    /** The index Logstash writes an event of today into, from its {@code index} setting. */
    private String todaysIndex() {
        Matcher date = Pattern.compile("%\\{\\+([^}]+)}").matcher(quoted(setting("index")));
        assertThat(date.find()).isTrue();
        // Joda patterns as Logstash writes them: YYYY (week year in Joda, but Logstash documents it as the year), MM, dd.
        String javaPattern = date.group(1).replace("YYYY", "yyyy");
        return date.replaceFirst(LocalDate.of(2026, 11, 23).format(DateTimeFormatter.ofPattern(javaPattern)));
    }

    private String setting(String name) {
        Matcher setting = Pattern.compile("^\\s*" + Pattern.quote(name) + " => (.+)$", Pattern.MULTILINE).matcher(pipeline);
        assertThat(setting.find()).as("setting " + name).isTrue();
        return setting.group(1).trim();
    }

    private static String quoted(String value) {
        return value.replaceAll("^\\[?\"|\"]?$", "");
    }

    /** The file a Logstash container sees at {@code path}, read from the ConfigMap or Secret volume behind it. */
    private String mountedFile(String path) {
        VolumeMount mount = container().getVolumeMounts().stream()
                .filter(candidate -> path.startsWith(candidate.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(path + " is in no volume of the Logstash container"));
        String key = path.substring(mount.getMountPath().length() + 1);
        PodSpec pod = logstash.getSpec().getTemplate().getSpec();
        Volume volume = pod.getVolumes().stream().filter(candidate -> candidate.getName().equals(mount.getName())).findFirst().orElseThrow();
        if (volume.getSecret() != null) {
            // Secrets come from cert-manager at run time: the volume must at least project the key.
            assertThat(volume.getSecret().getItems()).anySatisfy(item -> assertThat(item.getPath()).isEqualTo(key));
            return "-----BEGIN CERTIFICATE----- (issued at run time)";
        }
        ConfigMap configMap = Manifests.get(ConfigMap.class, "elastic", volume.getConfigMap().getName());
        assertThat(configMap.getData()).as(path).containsKey(key);
        return configMap.getData().get(key);
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

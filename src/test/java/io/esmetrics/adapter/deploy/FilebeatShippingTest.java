package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filebeat ships each line as the container wrote it, with the metadata of the pod that wrote it, to Logstash over
 * mutual TLS: the application's JSON is never decoded here, so it cannot become a field of the event, and the final
 * pipeline reads the pod's identity from what Filebeat added. Filebeat cannot run here; its configuration is read.
 */
class FilebeatShippingTest {

    private static final String CONFIG = "/etc/filebeat/filebeat.yml";

    @TempDir
    Path workDir;

    @Test
    void shipsToLogstashsBeatsPortWithItsClientCertificate() {
        List<HasMetadata> stack = Manifests.stack();
        JsonNode logstash = config(stack).path("output.logstash");
        String host = logstash.path("hosts").get(0).asText();
        Service service = Manifests.get(Service.class, "elastic", "logstash");
        PodSpec filebeat = daemonSet(stack).getSpec().getTemplate().getSpec();

        assertThat(host).isEqualTo("logstash.elastic.svc:5044");
        assertThat(service.getSpec().getPorts()).anySatisfy(port -> assertThat(port.getPort()).isEqualTo(5044));
        assertThat(logstash.path("ssl.enabled").asBoolean()).isTrue();
        assertThat(logstash.has("ssl.verification_mode")).as("full, the default: Logstash's certificate must name it").isFalse();
        assertThat(MountedFiles.secretKeyBehind(filebeat, logstash.path("ssl.certificate").asText())).isEqualTo("filebeat-certs/tls.crt");
        assertThat(MountedFiles.secretKeyBehind(filebeat, logstash.path("ssl.key").asText())).isEqualTo("filebeat-certs/tls.key");
        assertThat(MountedFiles.secretKeyBehind(filebeat, logstash.path("ssl.certificate_authorities").get(0).asText())).isEqualTo("filebeat-certs/ca.crt");
    }

    /** Every input, the component's included: JSON decoded here could write kubernetes.* from the line. */
    @Test
    void decodesNoJsonAndAddsThePodsMetadataInEveryInput() {
        List<JsonNode> inputs = inputs(Manifests.stackWith(workDir, "istio-access-logs"));

        assertThat(inputs).extracting(input -> input.path("id").asText()).containsExactlyInAnyOrder("ai-events-stdout", "istio-proxy-ai-services");
        assertThat(inputs).allSatisfy(input -> {
            assertThat(input.path("type").asText()).isEqualTo("filestream");
            assertThat(input.path("parsers")).singleElement().satisfies(parser -> {
                assertThat(Manifests.fieldNames(parser)).containsExactly("container");
                assertThat(parser.path("container").path("stream").asText()).isEqualTo("stdout");
            });
            assertThat(Manifests.fieldNames(input)).noneMatch(option -> option.startsWith("json"));
            JsonNode metadata = input.path("processors").path(0).path("add_kubernetes_metadata");
            assertThat(metadata.isMissingNode()).as("add_kubernetes_metadata first").isFalse();
            assertThat(metadata.path("labels.dedot").asBoolean()).as("app.kubernetes.io/name read as app_kubernetes_io/name").isTrue();
            assertThat(input.path("processors").toString()).doesNotContain("decode_json_fields");
        });
        assertThat(config(Manifests.stack()).path("processors").toString()).doesNotContain("decode_json_fields");
    }

    /**
     * Only the pods that opt in: the drop follows the metadata it reads. The line filter only saves traffic; the final
     * pipeline refuses whatever else might pass.
     */
    @Test
    void shipsTheStdoutOfPodsThatOptInOnly() {
        JsonNode input = inputs(Manifests.stack()).stream().filter(candidate -> candidate.path("id").asText().equals("ai-events-stdout"))
                .findFirst().orElseThrow();
        JsonNode processors = input.path("processors");

        assertThat(processors).hasSize(2);
        assertThat(processors.path(1).path("drop_event").path("when").path("not").path("equals")
                .path("kubernetes.labels.esmetrics_io/events").asText()).isEqualTo("stdout");
        assertThat(input.path("include_lines").get(0).asText()).contains("queue|request");
    }

    @Test
    void readsTheInputsFromTheMountedInputsConfigMap() {
        List<HasMetadata> stack = Manifests.stack();
        String inputs = config(stack).path("filebeat.config.inputs").path("path").asText();

        assertThat(inputs).endsWith("/*.yml");
        assertThat(configMapBehind(stack, inputs.substring(0, inputs.lastIndexOf('/')) + "/any.yml").getMetadata().getName())
                .startsWith("filebeat-inputs");
    }

    /** add_kubernetes_metadata reads pods, namespaces and nodes; Filebeat can change nothing in the cluster. */
    @Test
    void readsThePodsMetadataAndChangesNothing() {
        ClusterRoleBinding binding = Manifests.get(ClusterRoleBinding.class, null, "es-metrics-adapter:filebeat");
        ClusterRole role = Manifests.get(ClusterRole.class, null, binding.getRoleRef().getName());
        DaemonSet filebeat = daemonSet(Manifests.stack());

        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getNamespace()).isEqualTo(filebeat.getMetadata().getNamespace());
            assertThat(subject.getName()).isEqualTo(filebeat.getSpec().getTemplate().getSpec().getServiceAccountName());
        });
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactlyInAnyOrder("pods", "namespaces", "nodes");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
        });
    }

    static DaemonSet daemonSet(List<HasMetadata> stack) {
        List<DaemonSet> daemonSets = stack.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast).toList();
        assertThat(daemonSets).as("one Filebeat").singleElement().satisfies(set -> assertThat(set.getMetadata().getName()).isEqualTo("filebeat"));
        return daemonSets.get(0);
    }

    private static JsonNode config(List<HasMetadata> stack) {
        return Manifests.yaml(configMapBehind(stack, CONFIG).getData().get("filebeat.yml"));
    }

    /** The inputs of inputs.d, every key of the inputs ConfigMap. */
    private static List<JsonNode> inputs(List<HasMetadata> stack) {
        String path = config(stack).path("filebeat.config.inputs").path("path").asText();
        ConfigMap inputs = configMapBehind(stack, path.substring(0, path.lastIndexOf('/')) + "/any.yml");
        List<JsonNode> all = new ArrayList<>();
        inputs.getData().values().forEach(file -> Manifests.yaml(file).forEach(all::add));
        return all;
    }

    private static ConfigMap configMapBehind(List<HasMetadata> stack, String path) {
        Volume volume = MountedFiles.volumeBehind(daemonSet(stack).getSpec().getTemplate().getSpec(), path);
        assertThat(volume.getConfigMap()).as(path + " from a ConfigMap").isNotNull();
        return stack.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(map -> map.getMetadata().getName().equals(volume.getConfigMap().getName())).findFirst().orElseThrow();
    }
}

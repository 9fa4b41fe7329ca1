package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/components/monitoring (ServiceMonitor, PrometheusRule, Grafana dashboard) and its alternative
 * k8s/components/prometheus-scrape-annotations, each built with k8s/ by the real kubectl: what they add is wired to the
 * adapter's metrics port, and nothing else changes.
 */
class MonitoringComponentTest {

    private static final Path DASHBOARD = Manifests.K8S.resolve("components/monitoring/es-metrics-adapter-dashboard.json");

    @TempDir
    Path workDir;

    @Test
    void addsTheServiceMonitorTheAlertsAndTheDashboardAndChangesNothingElse() {
        List<HasMetadata> with = Manifests.stackWith(workDir, "monitoring");

        assertThat(identities(with)).containsAll(identities(Manifests.stack()));
        assertThat(with).containsAll(Manifests.stack());
        Set<String> added = identities(with);
        added.removeAll(identities(Manifests.stack()));
        assertThat(added).containsExactlyInAnyOrder(
                "ServiceMonitor/es-metrics-adapter/es-metrics-adapter",
                "PrometheusRule/es-metrics-adapter/es-metrics-adapter",
                "ConfigMap/monitoring/es-metrics-adapter-dashboard");
    }

    @Test
    void scrapesTheManagementPortOfEveryReplicaThroughTheAdaptersService() {
        List<HasMetadata> with = Manifests.stackWith(workDir, "monitoring");
        GenericKubernetesResource monitor = only(with, GenericKubernetesResource.class, "ServiceMonitor", "es-metrics-adapter");
        Map<String, Object> spec = map(monitor.getAdditionalProperties().get("spec"));
        Map<String, Object> endpoint = map(list(spec.get("endpoints")).get(0));
        Service service = only(with, Service.class, "Service", "es-metrics-adapter");
        Container adapter = only(with, Deployment.class, "Deployment", "es-metrics-adapter").getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(monitor.getMetadata().getNamespace()).as("a ServiceMonitor without namespaceSelector selects in its namespace")
                .isEqualTo(service.getMetadata().getNamespace());
        assertThat(spec).doesNotContainKey("namespaceSelector");
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(stringMap(map(spec.get("selector")).get("matchLabels")));
        ServicePort port = service.getSpec().getPorts().stream().filter(candidate -> candidate.getName().equals(endpoint.get("port")))
                .findFirst().orElseThrow(() -> new AssertionError("the Service has no port " + endpoint.get("port")));
        ContainerPort target = adapter.getPorts().stream().filter(candidate -> candidate.getName().equals(port.getTargetPort().getStrVal()))
                .findFirst().orElseThrow(() -> new AssertionError("the container has no port " + port.getTargetPort()));
        assertThat(target.getContainerPort()).as("quarkus.management.port").isEqualTo(managementPort());
        assertThat(endpoint).containsEntry("path", "/q/metrics").containsEntry("scheme", "http");
    }

    /** The component assumes Prometheus and Grafana in one namespace: the one the NetworkPolicy opens the port to. */
    @Test
    void putsTheDashboardInTheNamespaceTheNetworkPolicyLetsScrapeTheMetricsPort() {
        List<HasMetadata> with = Manifests.stackWith(workDir, "monitoring");
        ConfigMap dashboard = only(with, ConfigMap.class, "ConfigMap", "es-metrics-adapter-dashboard");
        NetworkPolicy policy = only(with, NetworkPolicy.class, "NetworkPolicy", "es-metrics-adapter");

        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> {
            assertThat(rule.getPorts()).anySatisfy(port -> assertThat(port.getPort().getIntVal()).isEqualTo(managementPort()));
            assertThat(rule.getFrom()).anySatisfy(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                    .containsEntry("kubernetes.io/metadata.name", dashboard.getMetadata().getNamespace()));
        });
    }

    @Test
    void labelsTheCommittedDashboardForGrafanasSidecar() {
        ConfigMap dashboard = only(Manifests.stackWith(workDir, "monitoring"), ConfigMap.class, "ConfigMap", "es-metrics-adapter-dashboard");

        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1")
                .containsEntry("app.kubernetes.io/part-of", "es-metrics-adapter");
        assertThat(dashboard.getData()).containsOnlyKeys(DASHBOARD.getFileName().toString());
        String json = dashboard.getData().get(DASHBOARD.getFileName().toString());
        assertThat(json).isEqualTo(Manifests.read(DASHBOARD));
        JsonNode parsed = Manifests.yaml(json); // JSON is YAML
        assertThat(parsed.path("uid").asText()).isEqualTo("es-metrics-adapter");
    }

    @Test
    void annotatesTheAdapterPodsForThePrometheusKubernetesPodsJobInstead() {
        List<HasMetadata> with = Manifests.stackWith(workDir, "prometheus-scrape-annotations");
        Deployment deployment = only(with, Deployment.class, "Deployment", "es-metrics-adapter");
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        ContainerPort metrics = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .filter(port -> port.getName().equals("metrics")).findFirst().orElseThrow();

        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(metrics.getContainerPort()))
                .containsEntry("prometheus.io/path", "/q/metrics")
                .containsEntry("prometheus.io/scheme", "http");
        assertThat(metrics.getContainerPort()).isEqualTo(managementPort());
        assertThat(identities(with)).isEqualTo(identities(Manifests.stack()));
        assertThat(with.stream().filter(object -> !Manifests.stack().contains(object)).toList())
                .as("changed objects").containsExactly(deployment);
    }

    private static int managementPort() {
        Properties properties = new Properties();
        try (InputStream in = MonitoringComponentTest.class.getClassLoader().getResourceAsStream("application.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Integer.parseInt(properties.getProperty("quarkus.management.port"));
    }

    private static Set<String> identities(List<HasMetadata> objects) {
        return objects.stream().map(object -> object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName())
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type, String kind, String name) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
                .filter(object -> object.getKind().equals(kind) && object.getMetadata().getName().equals(name)).toList();
        assertThat(found).as(kind + " " + name).hasSize(1);
        return found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object value) {
        return (Map<String, String>) value;
    }
}

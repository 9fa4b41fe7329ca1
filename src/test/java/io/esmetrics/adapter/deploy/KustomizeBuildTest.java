package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code kubectl kustomize k8s/} (the real kubectl) makes of k8s/, alone and with its optional component. */
class KustomizeBuildTest {

    /** Kinds that live outside namespaces. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition");

    @TempDir
    Path workDir;

    @Test
    void buildsTheAdapterElasticsearchLogstashFilebeatAndTheAiServices() {
        Map<String, Long> kinds = Manifests.stack().stream().collect(Collectors.groupingBy(HasMetadata::getKind, Collectors.counting()));

        assertThat(Manifests.all(Deployment.class)).extracting(deployment -> deployment.getMetadata().getName())
                .containsExactlyInAnyOrder("es-metrics-adapter", "logstash", "chat", "embeddings");
        assertThat(Manifests.all(StatefulSet.class)).extracting(set -> set.getMetadata().getName())
                .containsExactlyInAnyOrder("elasticsearch-master", "elasticsearch-data");
        assertThat(Manifests.all(DaemonSet.class)).extracting(set -> set.getMetadata().getNamespace() + "/" + set.getMetadata().getName())
                .containsExactly("filebeat/filebeat");
        assertThat(kinds).containsEntry("HorizontalPodAutoscaler", 3L).doesNotContainKey("Certificate");
        assertThat(Manifests.all(io.fabric8.kubernetes.api.model.batch.v1.Job.class)).extracting(job -> job.getMetadata().getName())
                .containsExactlyInAnyOrder("elasticsearch-bootstrap-secrets", "elasticsearch-setup-users");
    }

    @Test
    void placesEveryNamespacedObjectInANamespaceOfTheStack() {
        Set<String> namespaces = Manifests.all(Namespace.class).stream().map(namespace -> namespace.getMetadata().getName()).collect(Collectors.toSet());

        assertThat(Manifests.stack()).allSatisfy(object -> {
            String namespace = object.getMetadata().getNamespace();
            if (CLUSTER_SCOPED.contains(object.getKind())) {
                assertThat(namespace).as(object.getKind() + " " + object.getMetadata().getName()).isNull();
            } else if (!"kube-system".equals(namespace)) {
                assertThat(namespaces).as(object.getKind() + " " + object.getMetadata().getName()).contains(namespace);
            }
        });
    }

    @Test
    void keepsTheFixedNameOfTheMetricDefinitionsConfigMap() {
        ConfigMap definitions = Manifests.get(ConfigMap.class, "es-metrics-adapter", "es-metrics-adapter-metrics");

        assertThat(definitions.getData()).containsOnlyKeys("metrics.yaml");
    }

    @Test
    void marksEveryObjectAsManagedByKustomize() {
        assertThat(Manifests.stack()).allSatisfy(object ->
                assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "kustomize"));
    }

    /** Deleting the CRD deletes every team's ElasticsearchMetric: the default uninstall leaves k8s/crd alone. */
    @Test
    void uninstallDeletesEverythingButTheElasticsearchMetricApi() {
        Set<String> uninstalled = identities(Manifests.kustomize(Manifests.K8S.resolve("uninstall")));
        Set<String> api = identities(Manifests.kustomize(Manifests.K8S.resolve("crd")));
        Set<String> installed = identities(Manifests.kustomize(Manifests.K8S));

        assertThat(uninstalled).noneMatch(identity -> identity.startsWith("CustomResourceDefinition/"));
        assertThat(uninstalled).doesNotContainAnyElementsOf(api);
        Set<String> both = new java.util.TreeSet<>(uninstalled);
        both.addAll(api);
        assertThat(both).isEqualTo(new java.util.TreeSet<>(installed));
    }

    private static Set<String> identities(String yaml) {
        return Manifests.documents(yaml).stream().map(Manifests::parse)
                .map(object -> object.getKind() + "/" + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName())
                .collect(Collectors.toSet());
    }

    /** The component adds an input to the Filebeat of the base install, not a Filebeat of its own. */
    @Test
    void istioAccessLogsComponentAddsTheSidecarsInputToTheBaseFilebeat() {
        List<HasMetadata> withIstio = Manifests.stackWith(workDir, "istio-access-logs");

        Namespace aiServices = only(withIstio, Namespace.class, "ai-services");
        DaemonSet filebeat = only(withIstio, DaemonSet.class, "filebeat");
        ConfigMap inputs = withIstio.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(map -> map.getMetadata().getName().startsWith("filebeat-inputs")).findFirst().orElseThrow();

        assertThat(aiServices.getMetadata().getLabels())
                .containsEntry("istio-injection", "enabled")
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(withIstio).anySatisfy(object -> {
            assertThat(object).isInstanceOf(GenericKubernetesResource.class);
            assertThat(object.getKind()).isEqualTo("Telemetry");
            assertThat(object.getMetadata().getNamespace()).isEqualTo("ai-services");
        });
        assertThat(withIstio).filteredOn(DaemonSet.class::isInstance).containsExactly(filebeat);
        assertThat(inputs.getData()).containsOnlyKeys("stdout-events.yml", "istio-access-logs.yml");
        assertThat(filebeat.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(volume -> assertThat(volume.getConfigMap()).isNotNull().extracting("name").isEqualTo(inputs.getMetadata().getName()));
        assertThat(withIstio).filteredOn(HorizontalPodAutoscaler.class::isInstance).hasSize(3);
    }

    /** A sidecar logs every request it serves: the stand-ins' own request events would count each one twice. */
    @Test
    void istioAccessLogsComponentTurnsTheStandInsRequestEventsOff() {
        List<HasMetadata> withIstio = Manifests.stackWith(workDir, "istio-access-logs");

        for (String service : List.of("chat", "embeddings")) {
            Container events = Manifests.container(only(withIstio, Deployment.class, service).getSpec().getTemplate().getSpec(), "events");
            assertThat(events.getEnv()).as(service).anySatisfy(variable -> {
                assertThat(variable.getName()).isEqualTo("REQUEST_RATE");
                assertThat(variable.getValue()).isEqualTo("0");
            });
        }
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> kind, String name) {
        return objects.stream().filter(kind::isInstance).map(kind::cast)
                .filter(object -> object.getMetadata().getName().equals(name))
                .collect(Collectors.collectingAndThen(Collectors.toList(), found -> {
                    assertThat(found).as(kind.getSimpleName() + " " + name).hasSize(1);
                    return found.get(0);
                }));
    }
}

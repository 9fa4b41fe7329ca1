package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code k8s/adapter-only}: the product without the demo, for an Elasticsearch of the user's own, whose address and
 * credentials are one Secret (docs/deploying.md, "Only the adapter, with your own Elasticsearch"). The real API
 * server's dry run of it: {@link ManifestsOnApiServerTest}.
 */
class AdapterOnlyTest {

    private static final Path ADAPTER_ONLY = Manifests.K8S.resolve("adapter-only");
    private static final String SECRET = "es-metrics-adapter-elasticsearch";
    private static final List<HasMetadata> OBJECTS = Manifests.documents(Manifests.kustomize(ADAPTER_ONLY)).stream()
            .map(Manifests::parse).toList();

    @Test
    void holdsTheAdaptersObjectsAndNothingOfTheDemo() {
        List<String> adapter = Manifests.documents(Manifests.kustomize(Manifests.K8S.resolve("adapter"))).stream()
                .map(Manifests::parse).map(AdapterOnlyTest::identity).toList();

        assertThat(OBJECTS).extracting(AdapterOnlyTest::identity).containsExactlyInAnyOrderElementsOf(adapter);
        assertThat(OBJECTS).noneMatch(object -> object.getKind().equals("CustomResourceDefinition"));
    }

    @Test
    void readsElasticsearchsAddressAndCredentialsFromOneSecret() {
        PodSpec pod = adapter().getSpec().getTemplate().getSpec();
        EnvVar hosts = pod.getContainers().get(0).getEnv().stream()
                .filter(env -> env.getName().equals("QUARKUS_ELASTICSEARCH_HOSTS")).findFirst().orElseThrow();

        assertThat(hosts.getValue()).isNull();
        assertThat(hosts.getValueFrom().getSecretKeyRef().getName()).isEqualTo(SECRET);
        assertThat(hosts.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("hosts");
        assertThat(hosts.getValueFrom().getSecretKeyRef().getOptional()).as("no pod without the Secret").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes()).filteredOn(volume -> volume.getSecret() != null)
                .extracting(volume -> volume.getSecret().getSecretName()).containsExactly(SECRET);
    }

    /** Elasticsearch's port to any address (it is not the demo's pods); DNS and the API server as k8s/ has them. */
    @Test
    void letsTheAdapterReachAnElasticsearchOutsideTheDemo() {
        NetworkPolicy shipped = Manifests.get(NetworkPolicy.class, "es-metrics-adapter", "es-metrics-adapter");
        NetworkPolicy policy = OBJECTS.stream().filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast)
                .findFirst().orElseThrow();

        NetworkPolicyEgressRule elasticsearch = policy.getSpec().getEgress().get(1);
        assertThat(elasticsearch.getTo()).isNullOrEmpty();
        assertThat(elasticsearch.getPorts()).extracting(port -> port.getPort().getIntVal()).containsExactly(9200, 443);
        assertThat(policy.getSpec().getEgress().get(0)).isEqualTo(shipped.getSpec().getEgress().get(0));
        assertThat(policy.getSpec().getEgress().get(2)).isEqualTo(shipped.getSpec().getEgress().get(2));
        assertThat(policy.getSpec().getIngress()).isEqualTo(shipped.getSpec().getIngress());
    }

    /** The documented commands create the Secret with every key the Deployment reads, and install in a safe order. */
    @Test
    void theDocumentedInstallCreatesTheSecretTheDeploymentReads() throws IOException {
        String docs = Files.readString(Path.of("docs/deploying.md"));
        Matcher block = Pattern.compile("```sh\\n(kubectl apply -k k8s/crd\\n.*?)```", Pattern.DOTALL).matcher(docs);
        assertThat(block.find()).as("the install of k8s/adapter-only in docs/deploying.md").isTrue();
        String commands = block.group(1);

        assertThat(commands).contains("kubectl -n es-metrics-adapter create secret generic " + SECRET,
                "--from-literal=hosts=", "--from-literal=username=", "--from-literal=password=", "--from-file=ca.crt=");
        assertThat(commands.indexOf("create secret")).isLessThan(commands.indexOf("kubectl apply -k k8s/adapter-only"));
        assertThat(commands.indexOf("kubectl apply -k k8s/adapter-only")).isLessThan(commands.indexOf("rollout status"));
        assertThat(commands.indexOf("rollout status")).isLessThan(commands.indexOf("kubectl apply -f apiservice.yaml"));
        // The files the Deployment reads from the Secret's mount are keys the command creates.
        PodSpec pod = adapter().getSpec().getTemplate().getSpec();
        for (EnvVar env : pod.getContainers().get(0).getEnv()) {
            if (env.getValue() != null && env.getValue().startsWith("/etc/es-metrics-adapter/elasticsearch/")) {
                String key = env.getValue().substring("/etc/es-metrics-adapter/elasticsearch/".length());
                assertThat(commands).as(env.getName()).containsPattern("--from-(literal|file)=" + Pattern.quote(key) + "=");
            }
        }
    }

    private static Deployment adapter() {
        return OBJECTS.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
    }

    private static String identity(HasMetadata object) {
        return object.getKind() + " " + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}

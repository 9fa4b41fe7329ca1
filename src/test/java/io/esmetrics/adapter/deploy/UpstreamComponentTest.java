package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** k8s/components/upstream-provider: what the adapter needs to forward to KEDA, Datadog or prometheus-adapter. */
class UpstreamComponentTest {

    @TempDir
    Path workDir;

    @Test
    void pointsTheAdapterAtTheProviderWithItsCaMountedFromTheConfigMap() {
        List<HasMetadata> stack = Manifests.stackWith(workDir, "upstream-provider");
        PodSpec pod = only(stack, Deployment.class, "es-metrics-adapter").getSpec().getTemplate().getSpec();
        Container adapter = pod.getContainers().get(0);
        Map<String, String> env = adapter.getEnv().stream().filter(variable -> variable.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));

        assertThat(env.get("ADAPTER_UPSTREAM_URL")).startsWith("https://");
        String caFile = env.get("ADAPTER_UPSTREAM_CA_FILE");
        VolumeMount mount = adapter.getVolumeMounts().stream().filter(candidate -> caFile.startsWith(candidate.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(caFile + " is in no mounted volume"));
        Volume volume = pod.getVolumes().stream().filter(candidate -> candidate.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(volume.getConfigMap().getName()).isEqualTo("es-metrics-adapter-upstream-ca");
        assertThat(volume.getConfigMap().getOptional()).as("never forward unverified for want of the CA").isNotEqualTo(Boolean.TRUE);
        assertThat(caFile).isEqualTo(mount.getMountPath() + "/ca.crt");
        assertThat(adapter.getEnv()).extracting(EnvVar::getName).as("the self-managed certificate stays").contains("ADAPTER_SERVING_SELF_MANAGED");
    }

    @Test
    void letsOnlyTheDedicatedServiceAccountListExternalMetricsForTheProvidersSubjectAccessReview() {
        List<HasMetadata> stack = Manifests.stackWith(workDir, "upstream-provider");

        ClusterRoleBinding binding = only(stack, ClusterRoleBinding.class, "es-metrics-adapter:upstream-external-metrics-reader");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getNamespace() + "/" + subject.getName()).as("never the adapter's own, which reads Secrets")
                    .isEqualTo("es-metrics-adapter/es-metrics-adapter-upstream");
        });
        ClusterRole role = only(stack, ClusterRole.class, binding.getRoleRef().getName());
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("external.metrics.k8s.io");
            assertThat(rule.getVerbs()).doesNotContain("create", "update", "patch", "delete", "*");
        });
        ServiceAccount upstream = only(stack, ServiceAccount.class, "es-metrics-adapter-upstream");
        assertThat(upstream.getAutomountServiceAccountToken()).isFalse();
        assertThat(stack).filteredOn(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                .flatExtracting(RoleBinding::getSubjects).noneMatch(subject -> subject.getName().equals("es-metrics-adapter-upstream"));
        assertThat(stack).filteredOn(ClusterRoleBinding.class::isInstance).map(ClusterRoleBinding.class::cast)
                .filteredOn(other -> other.getSubjects().stream().anyMatch(subject -> subject.getName().equals("es-metrics-adapter-upstream")))
                .singleElement().isEqualTo(binding);
    }

    @Test
    void theAdapterRequestsTokensOfTheDedicatedServiceAccountAndMayDoNothingElseWithIt() {
        List<HasMetadata> stack = Manifests.stackWith(workDir, "upstream-provider");
        Container adapter = only(stack, Deployment.class, "es-metrics-adapter").getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(adapter.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple("ADAPTER_UPSTREAM_TOKEN_REQUEST_SERVICE_ACCOUNT", "es-metrics-adapter-upstream"));
        assertThat(adapter.getEnv()).extracting(EnvVar::getName).doesNotContain("ADAPTER_UPSTREAM_TOKEN_FILE");
        RoleBinding binding = only(stack, RoleBinding.class, "es-metrics-adapter-upstream-token");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject ->
                assertThat(subject.getNamespace() + "/" + subject.getName()).isEqualTo("es-metrics-adapter/es-metrics-adapter"));
        Role role = only(stack, Role.class, binding.getRoleRef().getName());
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("serviceaccounts/token");
            assertThat(rule.getResourceNames()).containsExactly("es-metrics-adapter-upstream");
            assertThat(rule.getVerbs()).containsExactly("create");
        });
    }

    @Test
    void allowsEgressToTheProvidersPortsAndKeepsTheOthers() {
        List<HasMetadata> without = Manifests.stack();
        List<HasMetadata> with = Manifests.stackWith(workDir, "upstream-provider");

        List<Integer> before = egressPorts(only(without, NetworkPolicy.class, "es-metrics-adapter"));
        List<Integer> after = egressPorts(only(with, NetworkPolicy.class, "es-metrics-adapter"));

        assertThat(after).containsAll(before).contains(6443, 8443);
    }

    private static List<Integer> egressPorts(NetworkPolicy policy) {
        return policy.getSpec().getEgress().stream().flatMap(rule -> rule.getPorts().stream())
                .map(NetworkPolicyPort::getPort).map(port -> port.getIntVal()).toList();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> stack, Class<T> kind, String name) {
        return stack.stream().filter(kind::isInstance).map(kind::cast).filter(object -> object.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }
}

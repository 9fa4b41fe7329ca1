package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pod of {@code kubectl apply -k k8s/} passes the restricted Pod Security Standard and then some, but Filebeat,
 * which reads the nodes' container logs as root from hostPath volumes, alone in a privileged namespace, with nothing else
 * of a privilege.
 */
class PodSecurityTest {

    private static final String FILEBEAT_NAMESPACE = "filebeat";

    static Stream<Named<PodTemplateSpec>> podTemplates() {
        return podTemplates(false);
    }

    static Stream<Named<PodTemplateSpec>> podTemplatesButFilebeat() {
        return podTemplates(true);
    }

    private static Stream<Named<PodTemplateSpec>> podTemplates(boolean butFilebeat) {
        return Manifests.stack().stream().filter(object -> !butFilebeat || !FILEBEAT_NAMESPACE.equals(object.getMetadata().getNamespace()))
                .flatMap(object -> template(object)
                .map(template -> Named.of(object.getKind() + " " + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName(), template))
                .stream());
    }

    @ParameterizedTest
    @MethodSource("podTemplatesButFilebeat")
    void runsAsNonRootWithoutAnyPrivilege(PodTemplateSpec template) {
        PodSpec pod = template.getSpec();
        PodSecurityContext podContext = Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);

        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes()).allSatisfy(volume -> assertThat(volume.getHostPath()).as(volume.getName()).isNull());
        assertThat(containers(pod)).allSatisfy(container -> {
            SecurityContext context = container.getSecurityContext();
            assertThat(context).as(container.getName()).isNotNull();
            assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(context.getAllowPrivilegeEscalation()).isFalse();
            assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
            assertThat(Optional.ofNullable(context.getRunAsNonRoot()).orElse(podContext.getRunAsNonRoot())).as(container.getName()).isTrue();
            assertThat(Optional.ofNullable(context.getRunAsUser()).or(() -> Optional.ofNullable(podContext.getRunAsUser())))
                    .as("never uid 0").isNotEqualTo(Optional.of(0L));
        });
    }

    @ParameterizedTest
    @MethodSource("podTemplates")
    void usesTheRuntimeDefaultSeccompProfile(PodTemplateSpec template) {
        PodSpec pod = template.getSpec();

        assertThat(containers(pod)).allSatisfy(container -> {
            var profile = Optional.ofNullable(container.getSecurityContext().getSeccompProfile())
                    .orElseGet(() -> pod.getSecurityContext().getSeccompProfile());
            assertThat(profile.getType()).as(container.getName()).isEqualTo("RuntimeDefault");
        });
    }

    @ParameterizedTest
    @MethodSource("podTemplates")
    void writesOnlyToVolumes(PodTemplateSpec template) {
        assertThat(containers(template.getSpec())).allSatisfy(container ->
                assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(container.getName()).isTrue());
    }

    @ParameterizedTest
    @MethodSource("podTemplates")
    void requestsResourcesAndLimitsMemory(PodTemplateSpec template) {
        assertThat(containers(template.getSpec())).allSatisfy(container -> {
            assertThat(container.getResources().getRequests()).as(container.getName()).containsKeys("cpu", "memory");
            assertThat(container.getResources().getLimits()).as(container.getName()).containsKey("memory");
        });
    }

    @Test
    void everyNamespaceButFilebeatsEnforcesTheRestrictedStandard() {
        List<Namespace> namespaces = Manifests.all(Namespace.class).stream()
                .filter(namespace -> !namespace.getMetadata().getName().equals(FILEBEAT_NAMESPACE)).toList();

        assertThat(namespaces).extracting(namespace -> namespace.getMetadata().getName())
                .containsExactlyInAnyOrder("es-metrics-adapter", "elastic", "ai-services");
        assertThat(namespaces).allSatisfy(namespace ->
                assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted"));
    }

    /**
     * Root and hostPath volumes are what reading the nodes' container logs takes, and all Filebeat has: no capability,
     * no escalation, no host namespace, the logs read-only; it writes only its read offsets and /tmp. Its namespace
     * holds no other pod, so the privileged standard admits nothing else.
     */
    @Test
    void filebeatReadsTheNodesLogsAsRootWithNothingElseOfAPrivilege() {
        DaemonSet filebeat = Manifests.get(DaemonSet.class, FILEBEAT_NAMESPACE, "filebeat");
        PodSpec pod = filebeat.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);

        assertThat(Manifests.stack()).filteredOn(object -> FILEBEAT_NAMESPACE.equals(object.getMetadata().getNamespace()))
                .filteredOn(object -> template(object).isPresent()).containsExactly(filebeat);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(pod.getInitContainers()).isEmpty();
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
        assertThat(container.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod.getVolumes().stream().filter(volume -> volume.getHostPath() != null)).allSatisfy(volume -> {
            boolean readOnly = container.getVolumeMounts().stream().filter(mount -> mount.getName().equals(volume.getName()))
                    .allMatch(mount -> Boolean.TRUE.equals(mount.getReadOnly()));
            assertThat(readOnly || volume.getHostPath().getPath().equals("/var/lib/es-metrics-adapter-filebeat"))
                    .as(volume.getName() + " read-only, or Filebeat's own offsets").isTrue();
        });
    }

    private static List<Container> containers(PodSpec pod) {
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
    }

    private static Optional<PodTemplateSpec> template(HasMetadata object) {
        if (object instanceof Deployment deployment) {
            return Optional.of(deployment.getSpec().getTemplate());
        } else if (object instanceof StatefulSet statefulSet) {
            return Optional.of(statefulSet.getSpec().getTemplate());
        } else if (object instanceof DaemonSet daemonSet) {
            return Optional.of(daemonSet.getSpec().getTemplate());
        } else if (object instanceof Job job) {
            return Optional.of(job.getSpec().getTemplate());
        }
        return Optional.empty();
    }
}

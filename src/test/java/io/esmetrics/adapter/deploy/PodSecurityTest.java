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

/** Every pod of {@code kubectl apply -k k8s/} passes the restricted Pod Security Standard and then some. */
class PodSecurityTest {

    static Stream<Named<PodTemplateSpec>> podTemplates() {
        return Manifests.stack().stream().flatMap(object -> template(object)
                .map(template -> Named.of(object.getKind() + " " + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName(), template))
                .stream());
    }

    @ParameterizedTest
    @MethodSource("podTemplates")
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
    void everyNamespaceEnforcesTheRestrictedStandard() {
        List<Namespace> namespaces = Manifests.all(Namespace.class);

        assertThat(namespaces).extracting(namespace -> namespace.getMetadata().getName())
                .containsExactlyInAnyOrder("es-metrics-adapter", "elastic", "ai-services");
        assertThat(namespaces).allSatisfy(namespace ->
                assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted"));
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

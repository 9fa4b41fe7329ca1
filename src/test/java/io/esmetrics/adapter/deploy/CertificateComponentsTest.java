package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alternatives to the self-managed serving certificate, as optional components of k8s/: cert-manager, and
 * OpenShift's service CA. With either, the adapter serves the files of the Secret es-metrics-adapter-serving-cert
 * (followed on renewal), and the Role and ClusterRole of the self-managed certificate are gone.
 */
class CertificateComponentsTest {

    private static final String SECRET = "es-metrics-adapter-serving-cert";

    @TempDir
    Path workDir;

    @Test
    void certManagerIssuesTheServingCertificateForTheNameTheAggregatorChecks() {
        List<HasMetadata> stack = Manifests.stackWith(workDir, "cert-manager");

        assertServesTheFilesOfTheSecret(stack);
        GenericKubernetesResource certificate = stack.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).filter(resource -> resource.getKind().equals("Certificate"))
                .filter(resource -> SECRET.equals(spec(resource).get("secretName"))).findFirst().orElseThrow();
        assertThat(certificate.getMetadata().getNamespace()).isEqualTo("es-metrics-adapter");
        assertThat(String.valueOf(spec(certificate).get("dnsNames"))).contains("es-metrics-adapter.es-metrics-adapter.svc");
        assertThat(stack).filteredOn(resource -> resource.getKind().equals("Certificate"))
                .anySatisfy(resource -> assertThat(spec((GenericKubernetesResource) resource).get("secretName")).isEqualTo("elasticsearch-certs"));
    }

    @Test
    void openShiftsServiceCaIssuesTheServingCertificateOfTheService() {
        List<HasMetadata> stack = Manifests.stackWith(workDir, "openshift-service-ca");

        assertServesTheFilesOfTheSecret(stack);
        Service service = only(stack, Service.class, "es-metrics-adapter");
        assertThat(service.getMetadata().getAnnotations()).containsEntry("service.beta.openshift.io/serving-cert-secret-name", SECRET);
    }

    private static void assertServesTheFilesOfTheSecret(List<HasMetadata> stack) {
        Deployment deployment = only(stack, Deployment.class, "es-metrics-adapter");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container adapter = pod.getContainers().get(0);
        // Variables set from a ConfigMap or Secret (valueFrom) have no value of their own.
        Map<String, String> env = adapter.getEnv().stream().filter(variable -> variable.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue));

        assertThat(env).containsEntry("ADAPTER_SERVING_SELF_MANAGED", "false");
        for (String file : List.of(env.get("ADAPTER_SERVING_CERT_FILE"), env.get("ADAPTER_SERVING_KEY_FILE"))) {
            VolumeMount mount = adapter.getVolumeMounts().stream().filter(candidate -> file.startsWith(candidate.getMountPath() + "/"))
                    .findFirst().orElseThrow(() -> new AssertionError(file + " is in no mounted volume"));
            Volume volume = pod.getVolumes().stream().filter(candidate -> candidate.getName().equals(mount.getName())).findFirst().orElseThrow();
            assertThat(mount.getSubPath()).as("subPath mounts never see rotated files").isNull();
            assertThat(volume.getSecret().getSecretName()).isEqualTo(SECRET);
        }
        assertThat(stack).extracting(resource -> resource.getMetadata().getName())
                .doesNotContain("es-metrics-adapter-serving-certificate", "es-metrics-adapter:apiservice-ca-bundle");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> stack, Class<T> kind, String name) {
        return stack.stream().filter(kind::isInstance).map(kind::cast).filter(object -> object.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }
}

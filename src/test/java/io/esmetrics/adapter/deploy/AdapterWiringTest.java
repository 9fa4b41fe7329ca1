package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The adapter as deployed: what the API server, the HPA controller and the adapter itself rely on. */
class AdapterWiringTest {

    private static final String NAMESPACE = "es-metrics-adapter";
    private static final String NAME = "es-metrics-adapter";
    /** The serving port and health paths of the adapter (docs/api.md, issue 3's production serving). */
    private static final int SERVING_PORT = 6443;

    private final Deployment deployment = Manifests.get(Deployment.class, NAMESPACE, NAME);
    private final Service service = Manifests.get(Service.class, NAMESPACE, NAME);
    private final JsonNode apiService = Manifests.yaml(Manifests.API_SERVICE);

    @Test
    void apiServiceCallsTheAdapterServiceOnAPortThatReachesTheServingPort() {
        JsonNode target = apiService.path("spec").path("service");
        Service named = Manifests.get(Service.class, target.path("namespace").asText(), target.path("name").asText());
        ServicePort port = named.getSpec().getPorts().stream()
                .filter(candidate -> candidate.getPort() == target.path("port").asInt())
                .findFirst().orElseThrow(() -> new AssertionError("the Service has no port " + target.path("port")));

        assertThat(named).isSameAs(service);
        assertThat(port.getName()).isEqualTo("https");
        assertThat(containerPort(port.getTargetPort().getStrVal()).getContainerPort()).isEqualTo(SERVING_PORT);
    }

    /**
     * Applied unchanged on a bare cluster: no placeholder to replace, no caBundle (the adapter fills it, or cert-manager's
     * cainjector or OpenShift's service CA, each told by an annotation docs/deploying.md shows), never insecureSkipTLSVerify.
     */
    @Test
    void apiServiceAppliesUnchangedAndNeverSkipsTlsVerification() {
        JsonNode spec = apiService.path("spec");

        assertThat(spec.path("group").asText()).isEqualTo("external.metrics.k8s.io");
        assertThat(spec.path("version").asText()).isEqualTo("v1beta1");
        assertThat(spec.has("insecureSkipTLSVerify")).isFalse();
        assertThat(spec.has("caBundle")).isFalse();
        assertThat(apiService.path("metadata").has("annotations")).isFalse();
        assertThat(Manifests.parse(Manifests.API_SERVICE).getMetadata().getName()).isEqualTo("v1beta1.external.metrics.k8s.io");
    }

    /** The self-managed certificate: nothing to install first, and the Service's names the aggregator checks. */
    @Test
    void managesItsOwnServingCertificateByDefault() {
        assertThat(env("ADAPTER_SERVING_SELF_MANAGED")).isEqualTo("true");
        assertThat(adapterContainer().getEnv()).extracting(EnvVar::getName).doesNotContain("ADAPTER_SERVING_CERT_FILE", "ADAPTER_SERVING_KEY_FILE");
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(NAME);
        // The defaults of adapter.serving.service-name and secret-name are this Service's and the Role's.
        assertThat(service.getMetadata().getName()).isEqualTo("es-metrics-adapter");
    }

    /** The two Secrets by name (create cannot be named); the one APIService by name, get and patch only. */
    @Test
    void adapterMayKeepItsCertificateSecretAndTheCaBundleOfItsApiServiceOnly() {
        Role secret = Manifests.get(Role.class, NAMESPACE, roleBindingTo("es-metrics-adapter-serving-certificate").getRoleRef().getName());
        ClusterRole apiServiceRole = Manifests.get(ClusterRole.class, null, "es-metrics-adapter:apiservice-ca-bundle");

        assertThat(roleBindingTo(secret.getMetadata().getName()).getSubjects()).singleElement().satisfies(AdapterWiringTest::isTheAdapterServiceAccount);
        assertThat(secret.getRules()).extracting(PolicyRule::getResources).containsOnly(List.of("secrets"));
        assertThat(secret.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResourceNames()).containsExactlyInAnyOrder("es-metrics-adapter-tls", "es-metrics-adapter-ca");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "update");
        });
        assertThat(secret.getRules()).allSatisfy(rule -> assertThat(rule.getResourceNames().isEmpty())
                .as("an unnamed rule may only create").isEqualTo(rule.getVerbs().equals(List.of("create"))));
        assertThat(clusterRoleBindingTo(apiServiceRole.getMetadata().getName()).getSubjects())
                .singleElement().satisfies(AdapterWiringTest::isTheAdapterServiceAccount);
        assertThat(apiServiceRole.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("apiregistration.k8s.io");
            assertThat(rule.getResources()).containsExactly("apiservices");
            assertThat(rule.getResourceNames()).containsExactly(apiService.path("metadata").path("name").asText());
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
        });
    }

    @Test
    void serviceSelectsTheAdapterPods() {
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(service.getSpec().getSelector());
    }

    @Test
    void probesAskTheHealthPathsOverHttpsOnTheServingPort() {
        Container adapter = adapterContainer();

        assertHttpsProbe(adapter.getLivenessProbe(), "/livez");
        assertHttpsProbe(adapter.getStartupProbe(), "/livez");
        assertHttpsProbe(adapter.getReadinessProbe(), "/readyz");
    }

    @Test
    void runsTheImageOfThisVersion() {
        String version = projectVersion().replace("-SNAPSHOT", "");

        assertThat(adapterContainer().getImage()).isEqualTo("ghcr.io/es-metrics-adapter/es-metrics-adapter:" + version);
        assertThat(deployment.getMetadata().getLabels()).containsEntry("app.kubernetes.io/version", version);
    }

    @Test
    void runsTwoReplicasThatADrainCannotTakeDownTogether() {
        PodDisruptionBudget budget = Manifests.get(PodDisruptionBudget.class, NAMESPACE, NAME);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()).isNotNull();
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void configurationFilesLieInTheVolumesOfTheSecretsAndConfigMapTheyComeFrom() {
        assertFileFromVolume("ADAPTER_RULES_FILES", "configMap", "es-metrics-adapter-metrics");
        assertFileFromVolume("ADAPTER_ELASTICSEARCH_AUTH_USERNAME_FILE", "secret", "es-metrics-adapter-elasticsearch");
        assertFileFromVolume("ADAPTER_ELASTICSEARCH_AUTH_PASSWORD_FILE", "secret", "es-metrics-adapter-elasticsearch");
        assertFileFromVolume("ADAPTER_ELASTICSEARCH_TLS_CA_FILE", "secret", "es-metrics-adapter-elasticsearch");
    }


    @Test
    void elasticsearchAddressIsTheHttpsPortOfTheElasticsearchService() {
        Matcher address = Pattern.compile("([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc:(\\d+)").matcher(env("QUARKUS_ELASTICSEARCH_HOSTS"));
        assertThat(address.matches()).isTrue();
        Service elasticsearch = Manifests.get(Service.class, address.group(2), address.group(1));
        ServicePort port = elasticsearch.getSpec().getPorts().stream()
                .filter(candidate -> candidate.getPort() == Integer.parseInt(address.group(3))).findFirst().orElseThrow();
        StatefulSet data = Manifests.all(StatefulSet.class).stream()
                .filter(set -> set.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(elasticsearch.getSpec().getSelector().entrySet()))
                .findFirst().orElseThrow(() -> new AssertionError("the Elasticsearch Service selects no StatefulSet"));

        assertThat(env("QUARKUS_ELASTICSEARCH_PROTOCOL")).isEqualTo("https");
        assertThat(data.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .anySatisfy(containerPort -> {
                    assertThat(containerPort.getName()).isEqualTo(port.getTargetPort().getStrVal());
                    assertThat(containerPort.getContainerPort()).isEqualTo(9200);
                });
    }

    @Test
    void authenticationBindingsNameTheAdapterServiceAccount() {
        ClusterRoleBinding delegator = clusterRoleBindingTo("system:auth-delegator");
        RoleBinding reader = Manifests.all(RoleBinding.class).stream()
                .filter(binding -> binding.getRoleRef().getName().equals("extension-apiserver-authentication-reader"))
                .findFirst().orElseThrow();

        assertThat(delegator.getSubjects()).singleElement().satisfies(AdapterWiringTest::isTheAdapterServiceAccount);
        assertThat(reader.getMetadata().getNamespace()).isEqualTo("kube-system");
        assertThat(reader.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(reader.getSubjects()).singleElement().satisfies(AdapterWiringTest::isTheAdapterServiceAccount);
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(delegator.getSubjects().get(0).getName());
        Manifests.get(ServiceAccount.class, NAMESPACE, NAME);
    }

    /** Its configuration (metric definitions, Elasticsearch credentials) is mounted as files: AdapterPermissionsTest. */
    @Test
    void adapterMayListAndWatchTheMetricCustomResourcesAndReadsItsConfigurationAsFilesOnly() {
        ClusterRole customResources = Manifests.get(ClusterRole.class, null, "es-metrics-adapter:elasticsearchmetrics");

        assertThat(customResources.getRules()).anySatisfy(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("esmetrics.io");
            assertThat(rule.getResources()).containsExactly("elasticsearchmetrics");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("list", "watch");
        });
        // Statuses are written with update only (least privilege: the code never patches them).
        assertThat(customResources.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("elasticsearchmetrics/status");
            assertThat(rule.getVerbs()).containsExactly("update");
        });
        assertThat(clusterRoleBindingTo(customResources.getMetadata().getName()).getSubjects())
                .singleElement().satisfies(AdapterWiringTest::isTheAdapterServiceAccount);
    }

    @Test
    void adapterMayHoldTheLeaseOfTheStatusWriterAndNoOther() {
        RoleBinding binding = roleBindingTo("es-metrics-adapter-status-lease");
        Role role = Manifests.get(Role.class, NAMESPACE, binding.getRoleRef().getName());

        assertThat(binding.getSubjects()).singleElement().satisfies(AdapterWiringTest::isTheAdapterServiceAccount);
        // The name the adapter uses by default (adapter.custom-resources.leader-election.lease-name).
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
            assertThat(rule.getResources()).containsExactly("leases");
            assertThat(rule.getResourceNames()).containsExactly("es-metrics-adapter-status");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
        });
        assertThat(role.getRules()).allSatisfy(rule -> assertThat(rule.getResourceNames().isEmpty())
                .as("an unnamed rule may only create").isEqualTo(rule.getVerbs().equals(List.of("create"))));
    }

    @Test
    void hpaControllerMayReadExternalMetrics() {
        ClusterRoleBinding binding = Manifests.all(ClusterRoleBinding.class).stream()
                .filter(candidate -> candidate.getSubjects().stream().anyMatch(subject ->
                        "kube-system".equals(subject.getNamespace()) && "horizontal-pod-autoscaler".equals(subject.getName())))
                .findFirst().orElseThrow(() -> new AssertionError("nothing is bound to kube-system:horizontal-pod-autoscaler"));
        RoleRef roleRef = binding.getRoleRef();
        ClusterRole role = Manifests.get(ClusterRole.class, null, roleRef.getName());

        assertThat(binding.getSubjects()).singleElement().extracting(Subject::getKind).isEqualTo("ServiceAccount");
        assertThat(role.getRules()).anySatisfy(rule -> grants(rule, "external.metrics.k8s.io", "*", null));
    }

    private static void grants(PolicyRule rule, String group, String resource, String resourceName) {
        assertThat(rule.getApiGroups()).contains(group);
        assertThat(rule.getResources()).contains(resource);
        assertThat(rule.getVerbs()).contains("get", "list", "watch");
        if (resourceName != null) {
            assertThat(rule.getResourceNames()).contains(resourceName);
        }
    }

    private static void isTheAdapterServiceAccount(Subject subject) {
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
        assertThat(subject.getName()).isEqualTo(NAME);
    }

    private static RoleBinding roleBindingTo(String role) {
        return Manifests.all(RoleBinding.class).stream()
                .filter(binding -> NAMESPACE.equals(binding.getMetadata().getNamespace()))
                .filter(binding -> binding.getRoleRef().getName().equals(role))
                .findFirst().orElseThrow(() -> new AssertionError("no RoleBinding to " + role));
    }

    private static ClusterRoleBinding clusterRoleBindingTo(String clusterRole) {
        return Manifests.all(ClusterRoleBinding.class).stream()
                .filter(binding -> binding.getRoleRef().getName().equals(clusterRole))
                .findFirst().orElseThrow(() -> new AssertionError("no ClusterRoleBinding to " + clusterRole));
    }

    private void assertHttpsProbe(Probe probe, String path) {
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get.getScheme()).isEqualTo("HTTPS");
        assertThat(get.getPath()).isEqualTo(path);
        assertThat(containerPort(get.getPort().getStrVal()).getContainerPort()).isEqualTo(SERVING_PORT);
    }

    /** The file named by an environment variable is inside the mount of a volume of that kind and source. */
    private void assertFileFromVolume(String variable, String volumeKind, String source) {
        String file = env(variable);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        VolumeMount mount = adapterContainer().getVolumeMounts().stream()
                .filter(candidate -> file.startsWith(candidate.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(variable + "=" + file + " is in no mounted volume"));
        Volume volume = pod.getVolumes().stream().filter(candidate -> candidate.getName().equals(mount.getName())).findFirst().orElseThrow();
        String key = file.substring(mount.getMountPath().length() + 1);

        assertThat(mount.getSubPath()).as("subPath mounts never see rotated files").isNull();
        if (volumeKind.equals("secret")) {
            assertThat(volume.getSecret()).as(variable).isNotNull();
            assertThat(volume.getSecret().getSecretName()).isEqualTo(source);
        } else {
            assertThat(volume.getConfigMap()).as(variable).isNotNull();
            assertThat(volume.getConfigMap().getName()).isEqualTo(source);
            assertThat(Manifests.get(ConfigMap.class, NAMESPACE, source).getData()).containsKey(key);
        }
    }

    private Container adapterContainer() {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private ContainerPort containerPort(String name) {
        return adapterContainer().getPorts().stream().filter(port -> port.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("the adapter container has no port named " + name));
    }

    private String env(String name) {
        return adapterContainer().getEnv().stream().filter(variable -> variable.getName().equals(name))
                .map(EnvVar::getValue).filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new AssertionError("the adapter container has no " + name));
    }

    private static String projectVersion() {
        Matcher version = Pattern.compile("<artifactId>es-metrics-adapter</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Manifests.read(Path.of("pom.xml")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }
}

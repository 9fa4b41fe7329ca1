package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.rules.ClusterHealthRule;
import io.esmetrics.adapter.rules.MetricRule;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every HPA of the stack asks the adapter for something it serves, and scales something that exists. */
class AutoscalingWiringTest {

    static Stream<Named<HorizontalPodAutoscaler>> autoscalers() {
        return Manifests.all(HorizontalPodAutoscaler.class).stream().map(hpa -> Named.of(name(hpa), hpa));
    }

    @Test
    void metricDefinitionsConfigMapLoadsWithTheAdapterParser() {
        Map<String, MetricRule> served = Manifests.servedMetrics();

        assertThat(served).containsKeys("queue_length", "request_rate", "elasticsearch_ingest_rate");
        assertThat(served.get("elasticsearch_ingest_rate").namespaceField()).as("cluster-scoped").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("autoscalers")
    void externalMetricsAreServedByTheAdapter(HorizontalPodAutoscaler hpa) {
        Map<String, MetricRule> served = Manifests.servedMetrics();

        assertThat(externalMetrics(hpa)).allSatisfy(metric ->
                assertThat(served).as(name(hpa)).containsKey(metric.getExternal().getMetric().getName()));
    }

    @ParameterizedTest
    @MethodSource("autoscalers")
    void metricSelectorsUseOnlyLabelsTheMetricDeclares(HorizontalPodAutoscaler hpa) {
        Map<String, MetricRule> served = Manifests.servedMetrics();

        for (MetricSpec metric : externalMetrics(hpa)) {
            MetricRule rule = served.get(metric.getExternal().getMetric().getName());
            assertThat(selectorKeys(metric.getExternal().getMetric().getSelector()))
                    .as(name(hpa) + " selects " + rule.name() + " by")
                    .isSubsetOf(rule.labels().keySet());
        }
    }

    @ParameterizedTest
    @MethodSource("autoscalers")
    void scalesAWorkloadOfTheStackThatLeavesItsReplicasToTheAutoscaler(HorizontalPodAutoscaler hpa) {
        var target = hpa.getSpec().getScaleTargetRef();
        String namespace = hpa.getMetadata().getNamespace();
        Integer replicas = switch (target.getKind()) {
            case "Deployment" -> Manifests.get(Deployment.class, namespace, target.getName()).getSpec().getReplicas();
            case "StatefulSet" -> Manifests.get(StatefulSet.class, namespace, target.getName()).getSpec().getReplicas();
            default -> throw new AssertionError(name(hpa) + " scales a " + target.getKind());
        };

        assertThat(target.getApiVersion()).isEqualTo("apps/v1");
        assertThat(replicas).as("replicas in the manifest would be reset by every kubectl apply").isNull();
    }

    @Test
    void aiServicesScaleOnTheirQueueLengthAndRequestRate() {
        MetricSpec chat = externalMetrics(Manifests.get(HorizontalPodAutoscaler.class, "ai-services", "chat")).get(0);
        MetricSpec embeddings = externalMetrics(Manifests.get(HorizontalPodAutoscaler.class, "ai-services", "embeddings")).get(0);

        assertThat(chat.getExternal().getMetric().getName()).isEqualTo("queue_length");
        assertThat(chat.getExternal().getTarget().getType()).isEqualTo("AverageValue");
        assertThat(embeddings.getExternal().getMetric().getName()).isEqualTo("request_rate");
        assertThat(embeddings.getExternal().getMetric().getSelector().getMatchLabels()).containsEntry("service", "embeddings");
        assertThat(embeddings.getExternal().getMetric().getSelector().getMatchExpressions()).isNotEmpty();
    }

    @Test
    void elasticsearchScalesBetweenTwoAndFiveOnItsOwnIngestRateAndCpu() {
        HorizontalPodAutoscaler hpa = Manifests.get(HorizontalPodAutoscaler.class, "elastic", "elasticsearch-data");
        MetricRule ingest = Manifests.servedMetrics().get(externalMetrics(hpa).get(0).getExternal().getMetric().getName());

        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
        assertThat(ingest.indexPattern()).isEqualTo("ai-events-*");
        assertThat(ingest.namespaceField()).as("the events of every namespace load Elasticsearch").isEmpty();
        assertThat(hpa.getSpec().getMetrics()).anySatisfy(metric -> {
            assertThat(metric.getType()).isEqualTo("Resource");
            assertThat(metric.getResource().getName()).isEqualTo("cpu");
        });
    }

    /**
     * A Value target of 1: the metric's 1 proposes the current replica count (ratio 1, within tolerance), its 0 proposes
     * none, and the HPA takes the largest proposal: never fewer nodes while shards are unsettled, no say otherwise.
     */
    @Test
    void elasticsearchHoldsItsNodesWhileShardsAreUnsettled() {
        HorizontalPodAutoscaler hpa = Manifests.get(HorizontalPodAutoscaler.class, "elastic", "elasticsearch-data");

        assertThat(externalMetrics(hpa)).anySatisfy(metric -> {
            assertThat(metric.getExternal().getMetric().getName()).isEqualTo(ClusterHealthRule.NAME);
            assertThat(metric.getExternal().getMetric().getSelector()).isNull();
            assertThat(metric.getExternal().getTarget().getType()).isEqualTo("Value");
            assertThat(metric.getExternal().getTarget().getValue()).isEqualTo(new Quantity("1"));
        });
    }

    /**
     * A leaving node hands its shards off in preStop, bounded by the grace period; it reads its StatefulSet's scale with
     * a token of its own ServiceAccount, which may get that and nothing else.
     */
    @Test
    void elasticsearchDataNodesHandTheirShardsOffWithinTheirGracePeriod() {
        PodSpec pod = Manifests.get(StatefulSet.class, "elastic", "elasticsearch-data").getSpec().getTemplate().getSpec();
        Container elasticsearch = pod.getContainers().get(0);
        int handoff = Integer.parseInt(elasticsearch.getEnv().stream()
                .filter(variable -> variable.getName().equals("HANDOFF_TIMEOUT_SECONDS")).findFirst().orElseThrow().getValue());

        assertThat(elasticsearch.getLifecycle().getPreStop().getExec().getCommand()).contains("leave");
        assertThat(elasticsearch.getLifecycle().getPostStart().getExec().getCommand()).anySatisfy(part ->
                assertThat(part).contains("rejoin"));
        assertThat(handoff).as("the shards' time, then a minute to stop").isBetween(600, (int) (pod.getTerminationGracePeriodSeconds() - 30));
        assertThat(pod.getServiceAccountName()).isEqualTo("elasticsearch-data");
        Role role = Manifests.get(Role.class, "elastic", "elasticsearch-shard-handoff");
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("statefulsets/scale");
            assertThat(rule.getResourceNames()).containsExactly("elasticsearch-data");
            assertThat(rule.getVerbs()).containsExactly("get");
        });
        RoleBinding binding = Manifests.get(RoleBinding.class, "elastic", "elasticsearch-shard-handoff");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> assertThat(subject.getName()).isEqualTo("elasticsearch-data"));
    }

    @Test
    void elasticsearchScalesDownOneNodeAtATimeAfterALongQuiet() {
        HPAScalingRules scaleDown = Manifests.get(HorizontalPodAutoscaler.class, "elastic", "elasticsearch-data")
                .getSpec().getBehavior().getScaleDown();

        assertThat(scaleDown.getStabilizationWindowSeconds()).isGreaterThanOrEqualTo(900);
        assertThat(scaleDown.getSelectPolicy()).isIn("Min", null);
        assertThat(scaleDown.getPolicies()).isNotEmpty().allSatisfy(policy -> {
            assertThat(policy.getType()).isEqualTo("Pods");
            assertThat(policy.getValue()).isEqualTo(1);
            assertThat(policy.getPeriodSeconds()).isGreaterThanOrEqualTo(600);
        });
    }

    private static List<MetricSpec> externalMetrics(HorizontalPodAutoscaler hpa) {
        return hpa.getSpec().getMetrics().stream().filter(metric -> metric.getType().equals("External")).toList();
    }

    private static List<String> selectorKeys(LabelSelector selector) {
        if (selector == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            keys.addAll(selector.getMatchLabels().keySet());
        }
        if (selector.getMatchExpressions() != null) {
            selector.getMatchExpressions().stream().map(LabelSelectorRequirement::getKey).forEach(keys::add);
        }
        return keys;
    }

    private static String name(HasMetadata object) {
        return object.getKind() + " " + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}

package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real HPA controller (kube-controller-manager, calling as {@code system:serviceaccount:kube-system:horizontal-pod-autoscaler})
 * scales a Deployment on the packaged adapter's values, read through the real aggregator ({@link AggregatedAdapter}).
 * There is no kubelet: pods stay Pending, and the HPA changes the Deployment's replicas all the same. The controller
 * syncs every 2 s here (15 s in a real cluster, {@link SharedControlPlane}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HorizontalPodAutoscalerIT {

    private static final Duration SCALING = Duration.ofMinutes(2);

    @TempDir
    static Path dir;
    private static ControlPlane controlPlane;
    private static AggregatedAdapter adapter;

    /**
     * queue_length as shipped, but read from indices of its own and stalled after 15 s without events, its last value
     * kept 5 s more: a pipeline the test can stop, and an HPA that sees it within half a minute.
     */
    private static final String STALLING_METRIC = """
            metrics:
              stalling_queue_length:
                description: queue_length over indices whose pipeline the test stops
                indexPattern: %s*
                filter: {event.dataset: ai.queue}
                aggregation: latest
                field: queue.length
                staleness: 3m
                stalledAfter: 15s
                labels: {service: service.name, queue: queue.name}
            """;
    private static final String STALLING_INDICES = "stalling-events-";

    @BeforeAll
    static void install() throws Exception {
        controlPlane = SharedControlPlane.get();
        Path rules = Files.writeString(dir.resolve("metrics.yaml"), STALLING_METRIC.formatted(STALLING_INDICES));
        adapter = AggregatedAdapter.install(controlPlane, SharedElasticsearch.node(), Map.of(
                // Statuses every 2 s, not 30: the test waits for one.
                "adapter.custom-resources.status-interval", "2s",
                "adapter.rules.files", rules.toString(),
                "adapter.cache.metrics.stalling_queue_length.max-value-age", "5s",
                "adapter.elasticsearch.ingest-lag-interval", "1s"));
    }

    @AfterAll
    static void uninstall() throws Exception {
        if (adapter != null) {
            adapter.close();
        }
    }

    @BeforeEach
    void adapterServes() throws Exception {
        adapter.start();
        adapter.awaitAvailable();
    }

    @Test
    @Order(1)
    void scalesOutOnABacklogAndBackWhenItIsGone() throws Exception {
        String team = team();
        deployWithAutoscaler(team, "chat", "queue_length");

        backlog(team, "chat", 50);
        awaitReplicas(team, "chat", 5);
        // The HPA divides the value by the replicas it had when it read it: 50 over 1, then over 5 on its next sync.
        await("the HPA at its target").atMost(SCALING).untilAsserted(() -> assertThat(autoscaler(team, "chat")
                .at("/status/currentMetrics/0/external/current/averageValue").asText()).isEqualTo("10"));

        backlog(team, "chat", 0);
        awaitReplicas(team, "chat", 1);
    }

    /**
     * A team's own metric, declared by a member with the built-in {@code edit} role (a {@code view} member may not),
     * scales its Deployment, and the elected status writer (a real Lease) reports its value in the resource's status.
     */
    @Test
    @Order(2)
    void scalesOnAnElasticsearchMetricAnEditorDeclared() throws Exception {
        String team = team();
        ClusterUsers.User viewer = ClusterUsers.create(controlPlane, dir, team, "viewer", "view");
        ClusterUsers.User editor = ClusterUsers.create(controlPlane, dir, team, "editor", "edit");
        Path metric = Files.writeString(dir.resolve(team + "-metric.yaml"), """
                apiVersion: esmetrics.io/v1alpha1
                kind: ElasticsearchMetric
                metadata: {name: embeddings-backlog, namespace: %s}
                spec:
                  indexPattern: ai-events-*
                  filter: {event.dataset: [ai.queue]}
                  aggregation: latest
                  field: queue.length
                  staleness: 3m
                  labels: {service: service.name, queue: queue.name}
                """.formatted(team));

        Kubectl.Result refused = viewer.kubectl().run("apply", "-f", metric.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("forbidden").contains(viewer.name());
        // The edit role grants ElasticsearchMetrics once the controller manager has aggregated the CRD's role into it.
        await("the editor may create an ElasticsearchMetric").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(editor.kubectl().run("apply", "-f", metric.toString()).exitCode()).isZero());

        deployWithAutoscaler(team, "embeddings", "embeddings-backlog");
        backlog(team, "embeddings", 30);
        awaitReplicas(team, "embeddings", 3);

        await("the status written by the elected writer").atMost(SCALING).untilAsserted(() -> {
            JsonNode resource = Manifests.yaml(controlPlane.kubectl().run("get",
                    "elasticsearchmetric", "embeddings-backlog", "-n", team, "-o", "json").requireSuccess().stdout());
            assertThat(resource.at("/status/value").asText()).isEqualTo("30");
        });
        String holder = controlPlane.kubectl().run("get", "lease", "es-metrics-adapter-status",
                "-n", AggregatedAdapter.NAMESPACE, "-o", "jsonpath={.spec.holderIdentity}").requireSuccess().stdout();
        assertThat(holder).as("the Lease's holder").isNotBlank();
    }

    /**
     * The pipeline stalled: the adapter serves the last value within its budget, then a 503; the HPA reports it
     * cannot read the metric and keeps its replicas (silence is never read as an empty queue).
     */
    @Test
    @Order(3)
    void keepsItsReplicasAndSaysWhyWhenThePipelineStalls() throws Exception {
        String team = team();
        deployWithAutoscaler(team, "chat", "stalling_queue_length");
        // A live pipeline: a sample every 2 s until the HPA has acted on them.
        await("chat scaled to 2").atMost(SCALING).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Events.create().queueSample(Instant.now(), team, "chat", "inference", 20).indexInto(SharedElasticsearch.node(), STALLING_INDICES);
            assertThat(replicas(team, "chat")).isEqualTo(2);
        });

        // Then nothing more arrives.

        awaitNoMetricAndReplicasKept(team, "chat", 2);
    }

    /**
     * The adapter gone: the aggregator answers 503, the HPA reports it cannot read the metric and keeps the replicas
     * it has (never scales on a missing value).
     */
    @Test
    @Order(4)
    void keepsItsReplicasAndSaysWhyWhenTheAdapterIsGone() throws Exception {
        String team = team();
        deployWithAutoscaler(team, "chat", "queue_length");
        backlog(team, "chat", 20);
        awaitReplicas(team, "chat", 2);

        adapter.stop();

        awaitNoMetricAndReplicasKept(team, "chat", 2);
    }

    /**
     * The example chat service and its HPA as shipped (k8s/ai-services, moved to a namespace of the test's), on the
     * demo's knob: BACKLOG=100, as its events container writes it and the final pipeline stores it (the one queue
     * "inference", sampled by each replica), scales chat to its ten replicas, as docs/deploying.md says it does.
     */
    @Test
    @Order(5)
    void theShippedChatAutoscalerScalesTheDemoToTenReplicasOnItsBacklogKnob() throws Exception {
        String team = team();
        Deployment chat = new DeploymentBuilder(Manifests.get(Deployment.class, "ai-services", "chat"))
                .editMetadata().withNamespace(team).endMetadata().build();
        HorizontalPodAutoscaler autoscaler = new HorizontalPodAutoscalerBuilder(
                Manifests.get(HorizontalPodAutoscaler.class, "ai-services", "chat")).editMetadata().withNamespace(team).endMetadata().build();
        Path objects = Files.writeString(dir.resolve(team + "-shipped-chat.json"), Serialization.asJson(new KubernetesListBuilder()
                .addToItems(new NamespaceBuilder().withNewMetadata().withName(team).endMetadata().build(), chat, autoscaler).build()));
        controlPlane.kubectl().run("apply", "--server-side", "-f", objects.toString()).requireSuccess();

        backlog(team, "chat", 100);

        awaitReplicas(team, "chat", 10);
    }

    private static String team() {
        return "hpa-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void deployWithAutoscaler(String team, String service, String metric) throws Exception {
        Path objects = Files.writeString(dir.resolve(team + "-" + service + ".yaml"),
                AutoscaledDeployment.manifest(team, service, metric, "10"));
        controlPlane.kubectl().run("apply", "--server-side", "-f", objects.toString()).requireSuccess();
    }

    private static void backlog(String team, String service, double length) {
        Events.create().queueSample(Instant.now(), team, service, "inference", length).indexInto(SharedElasticsearch.node());
    }

    private void awaitReplicas(String team, String deployment, int expected) {
        await(deployment + " scaled to " + expected).atMost(SCALING).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(replicas(team, deployment))
                        .as("replicas of %s/%s; its HPA: %s", team, deployment, autoscaler(team, deployment).path("status"))
                        .isEqualTo(expected));
    }

    /** The HPA says it cannot read its metric (ScalingActive=False, FailedGetExternalMetric) and keeps its replicas. */
    private void awaitNoMetricAndReplicasKept(String team, String name, int replicas) throws Exception {
        await("ScalingActive=False").atMost(SCALING).untilAsserted(() -> {
            JsonNode scalingActive = condition(autoscaler(team, name), "ScalingActive");
            assertThat(scalingActive.path("status").asText()).isEqualTo("False");
            assertThat(scalingActive.path("reason").asText()).isEqualTo("FailedGetExternalMetric");
        });
        assertThat(replicas(team, name)).isEqualTo(replicas);
    }

    private int replicas(String team, String deployment) throws Exception {
        return Integer.parseInt(controlPlane.kubectl().run("get", "deployment", deployment, "-n", team,
                "-o", "jsonpath={.spec.replicas}").requireSuccess().stdout().strip());
    }

    private JsonNode autoscaler(String team, String name) throws Exception {
        return Manifests.yaml(controlPlane.kubectl().run("get", "hpa", name, "-n", team, "-o", "json").requireSuccess().stdout());
    }

    private static JsonNode condition(JsonNode autoscaler, String type) {
        for (JsonNode condition : autoscaler.at("/status/conditions")) {
            if (condition.path("type").asText().equals(type)) {
                return condition;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}

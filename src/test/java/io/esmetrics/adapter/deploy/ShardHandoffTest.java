package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/elasticsearch/shard-handoff.sh, the data nodes' preStop and postStart, run for real (bash, curl) against a real
 * two-node cluster on loopback (two nodes of the default engine's distribution, es-data-0 and es-data-1) and a real
 * API server, where a StatefulSet object stands for the data nodes' (no kubelet: the script reads only its
 * {@code spec.replicas}) and the script authenticates as the shipped ServiceAccount, with the shipped Role.
 */
@ExtendWith(SharedControlPlane.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardHandoffTest {

    private static final Path SCRIPT = Path.of("k8s/elasticsearch/shard-handoff.sh");
    private static final String LEAVING = "es-data-1";
    private static final String STAYING = "es-data-0";
    private static final String INDEX = "handoff";
    private static final int SHARDS = 4;
    private static final Duration SHARDS_SETTLE = Duration.ofMinutes(2);

    private final String namespace = "handoff-" + UUID.randomUUID().toString().substring(0, 8);
    private ControlPlane controlPlane;
    private ElasticsearchProcess staying;
    private ElasticsearchProcess leaving;
    @TempDir
    Path work;
    private Path token;

    @BeforeAll
    void startTheClusterAndTheStatefulSet(ControlPlane controlPlane, @TempDir Path manifests) throws Exception {
        this.controlPlane = controlPlane;
        String cluster = "handoff-" + UUID.randomUUID().toString().substring(0, 8);
        staying = ElasticsearchProcess.startClusterNode(cluster, STAYING, List.of(STAYING), List.of());
        leaving = ElasticsearchProcess.startClusterNode(cluster, LEAVING, List.of(STAYING), List.of(staying.transportAddress()));
        // Primaries only: a node's shards can then always move to the other (a replica never shares a node with its primary).
        staying.request("PUT", "/" + INDEX + "?wait_for_active_shards=all",
                "{\"settings\": {\"number_of_shards\": " + SHARDS + ", \"number_of_replicas\": 0}}");
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            bulk.append("{\"index\":{}}\n{\"n\":").append(i).append("}\n");
        }
        staying.request("POST", "/" + INDEX + "/_bulk?refresh=true", bulk.toString());

        kubectl("create", "namespace", namespace);
        for (String file : List.of("serviceaccount-data.yaml", "role-shard-handoff.yaml", "rolebinding-shard-handoff.yaml")) {
            Path copy = manifests.resolve(file);
            Files.writeString(copy, Files.readString(Path.of("k8s/elasticsearch", file)).replace("namespace: elastic",
                    "namespace: " + namespace));
            kubectl("apply", "-f", copy.toString());
        }
    }

    @AfterAll
    void stopEverything() throws Exception {
        try {
            if (controlPlane != null) {
                controlPlane.kubectl().run("delete", "namespace", namespace, "--wait=false");
            }
        } finally {
            try (ElasticsearchProcess first = staying; ElasticsearchProcess second = leaving) {
                // both stopped, whatever happens to the other
            }
        }
    }

    /** Each test starts from the cluster as a scale-up leaves it: nobody excluded, shards on both nodes. */
    @BeforeEach
    void bothNodesHoldShards() throws Exception {
        if (!leaving.isAlive()) {
            leaving = ElasticsearchProcess.startClusterNode(clusterName(), LEAVING, List.of(STAYING),
                    List.of(staying.transportAddress()));
        }
        staying.request("PUT", "/_cluster/settings",
                "{\"persistent\": {\"cluster.routing.allocation.exclude._name\": null}}");
        await().atMost(SHARDS_SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> shardsOn(LEAVING) > 0 && green());
        token = Files.writeString(work.resolve("token"), kubectl("create", "token", "elasticsearch-data", "-n", namespace,
                "--duration=1h").strip());
    }

    @Test
    void aRestartKeepsItsShards() throws Exception {
        statefulSetWithReplicas(2);
        int before = shardsOn(LEAVING);

        Result leave = run("leave", Map.of());

        assertThat(leave.exitCode()).as(leave.output()).isZero();
        assertThat(leave.output()).contains("restart (ordinal 1 < 2 replicas)");
        assertThat(excluded()).doesNotContain(LEAVING);
        assertThat(shardsOn(LEAVING)).isEqualTo(before);
    }

    @Test
    void aScaleDownHandsTheShardsOffBeforeTheScriptReturnsAndAStartTakesTheNodeBack() throws Exception {
        statefulSetWithReplicas(1);
        // Another node's entry, which neither change may drop: the list is shared.
        staying.request("PUT", "/_cluster/settings",
                "{\"persistent\": {\"cluster.routing.allocation.exclude._name\": \"es-data-7\"}}");

        Result leave = run("leave", Map.of());

        assertThat(leave.exitCode()).as(leave.output()).isZero();
        assertThat(leave.output()).contains("scale-down (ordinal 1, 1 replicas)", "holds no shard: leaving");
        assertThat(shardsOn(LEAVING)).isZero();
        assertThat(shardsOn(STAYING)).isEqualTo(SHARDS);
        assertThat(excluded()).containsExactly("es-data-7", LEAVING);
        leaving.close();
        await().atMost(SHARDS_SETTLE).pollInterval(Duration.ofMillis(500))
                .until(() -> nodes() == 1);
        assertThat(staying.request("GET", "/_cluster/health", null).path("status").asText()).isEqualTo("green");
        assertThat(staying.request("GET", "/" + INDEX + "/_count", null).path("count").asInt()).isEqualTo(100);

        leaving = ElasticsearchProcess.startClusterNode(clusterName(), LEAVING, List.of(STAYING), List.of(staying.transportAddress()));
        Result rejoin = run("rejoin", Map.of());

        assertThat(rejoin.exitCode()).as(rejoin.output()).isZero();
        assertThat(excluded()).containsExactly("es-data-7");
    }

    /** Without the API's answer a scale-down cannot be told from a restart: losing no copy comes first. */
    @Test
    void handsTheShardsOffWhenItCannotTellAScaleDownFromARestart() throws Exception {
        statefulSetWithReplicas(2);
        Path wrongToken = Files.writeString(work.resolve("wrong-token"), "not-a-token");

        Result leave = run("leave", Map.of("KUBE_TOKEN_FILE", wrongToken.toString()));

        assertThat(leave.exitCode()).as(leave.output()).isZero();
        assertThat(leave.output()).contains("cannot tell a scale-down from a restart", "holds no shard: leaving");
        assertThat(shardsOn(LEAVING)).isZero();
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(String command, Map<String, String> overrides) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
        Map<String, String> environment = new HashMap<>(Map.of(
                "NODE_NAME", LEAVING,
                "ES_URL", "http://" + leaving.hostAndPort(),
                "ES_CA_FILE", "",
                "ES_USER", "",
                "KUBERNETES_API", controlPlane.server(),
                "KUBE_TOKEN_FILE", token.toString(),
                "KUBE_CA_FILE", controlPlane.clusterCa().certFile().toString(),
                "NAMESPACE", namespace,
                "HANDOFF_TIMEOUT_SECONDS", "120",
                "POLL_SECONDS", "1"));
        environment.put("REJOIN_TIMEOUT_SECONDS", "60");
        environment.putAll(overrides);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private void statefulSetWithReplicas(int replicas) throws Exception {
        Path file = work.resolve("statefulset.yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: elasticsearch-data, namespace: %s}
                spec:
                  replicas: %d
                  serviceName: elasticsearch-headless
                  selector: {matchLabels: {app: es-data}}
                  template:
                    metadata: {labels: {app: es-data}}
                    spec:
                      containers: [{name: elasticsearch, image: elasticsearch}]
                """.formatted(namespace, replicas));
        kubectl("apply", "-f", file.toString());
    }

    private int shardsOn(String node) {
        return (int) staying.request("GET", "/_cat/shards/" + INDEX + "?format=json&h=node,state", null).findValues("node").stream()
                .filter(name -> name.asText().equals(node)).count();
    }

    private boolean green() {
        return "green".equals(staying.request("GET", "/_cluster/health", null).path("status").asText());
    }

    private int nodes() {
        return staying.request("GET", "/_cluster/health", null).path("number_of_nodes").asInt();
    }

    private String clusterName() {
        return staying.request("GET", "/_cluster/health", null).path("cluster_name").asText();
    }

    private List<String> excluded() {
        String names = staying.request("GET", "/_cluster/settings?flat_settings=true", null).path("persistent")
                .path("cluster.routing.allocation.exclude._name").asText("");
        return names.isEmpty() ? List.of() : List.of(names.split(","));
    }

    private String kubectl(String... args) throws IOException, InterruptedException {
        return controlPlane.kubectl().run(args).requireSuccess().stdout();
    }
}

package io.esmetrics.adapter.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.deploy.AggregatedAdapter;
import io.esmetrics.adapter.deploy.AutoscaledDeployment;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.Kubectl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * The whole loop, timed: a queue sample showing a new backlog is indexed, and the real HPA controller (at its default
 * 15 s sync period) changes the Deployment's replicas through the real aggregator and the packaged adapter. Beside
 * it, the adapter's own share: from the same event to the adapter answering the new value (through the aggregator,
 * polled every 100 ms). Ten steps between 2 and 4 replicas (backlog 20 and 40 at 10 per replica).
 */
final class HpaReaction {

    static final Duration HPA_SYNC_PERIOD = Duration.ofSeconds(15);
    private static final int STEPS = 10;
    private static final String NAMESPACE = "reaction";
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final double[] toAnswer = new double[STEPS];
    private final double[] toReplicas = new double[STEPS];

    private HpaReaction() {
    }

    static HpaReaction run(ElasticsearchProcess elasticsearch, Map<String, String> adapterProperties) throws Exception {
        HpaReaction reaction = new HpaReaction();
        Path dir = Files.createTempDirectory("es-metrics-adapter-hpa-reaction-");
        try (ControlPlane controlPlane = ControlPlane.start(HPA_SYNC_PERIOD);
                AggregatedAdapter adapter = AggregatedAdapter.install(controlPlane, elasticsearch, adapterProperties)) {
            adapter.start();
            adapter.awaitAvailable();
            Kubectl.Result applied = controlPlane.kubectl().run("apply", "--server-side", "-f", Files.writeString(dir.resolve("chat.yaml"),
                    AutoscaledDeployment.manifest(NAMESPACE, "chat", "queue_length", "10")).toString());
            if (applied.exitCode() != 0) {
                throw new IllegalStateException(applied.stderr());
            }
            HttpClient http = controlPlane.adminHttpClient();
            // Explained, not read: the answer the adapter holds, without counting as a read. A probe reading the metric
            // itself every 100 ms, in bursts after each step, would be most of the reads the refresh times itself by,
            // and move it away from the HPA's.
            URI metric = URI.create(controlPlane.server() + "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + NAMESPACE
                    + "/queue_length?labelSelector=service%3Dchat&explain=true");
            URI deployment = URI.create(controlPlane.server() + "/apis/apps/v1/namespaces/" + NAMESPACE + "/deployments/chat");
            // The first step from the Deployment's one replica; not counted, it includes the HPA's first sync.
            reaction.step(elasticsearch, http, metric, deployment, 4);
            for (int step = 0; step < STEPS; step++) {
                // At a random moment of the HPA's and the adapter's periods, not in step with them: a step begun just
                // after the HPA acted would always wait the same.
                Thread.sleep(ThreadLocalRandom.current().nextLong(HPA_SYNC_PERIOD.toMillis()));
                int replicas = step % 2 == 0 ? 2 : 4;
                double[] took = reaction.step(elasticsearch, http, metric, deployment, replicas);
                reaction.toAnswer[step] = took[0];
                reaction.toReplicas[step] = took[1];
                System.out.printf(Locale.ROOT, "step %d: backlog %d -> %d replicas: adapter answer after %.1f s, replicas after %.1f s%n",
                        step + 1, replicas * 10, replicas, took[0], took[1]);
            }
        } finally {
            Files.deleteIfExists(dir.resolve("chat.yaml"));
            Files.deleteIfExists(dir);
        }
        return reaction;
    }

    /** Indexes the backlog for {@code replicas}, then times the adapter's answer and the Deployment's change, in seconds. */
    private double[] step(ElasticsearchProcess elasticsearch, HttpClient http, URI metric, URI deployment, int replicas)
            throws Exception {
        long start = System.nanoTime();
        Events.create().queueSample(Instant.now(), NAMESPACE, "chat", "inference", replicas * 10.0).indexInto(elasticsearch);
        double answer = await(start, () -> total(http, metric) == replicas * 10.0);
        double scaled = await(start, () -> replicas(http, deployment) == replicas);
        return new double[] {answer, scaled};
    }

    private static double await(long start, BooleanSupplier condition) throws InterruptedException {
        long deadline = start + STEP_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + STEP_TIMEOUT);
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The sum of the items the adapter holds, as the HPA adds them up. */
    private static double total(HttpClient http, URI metric) {
        return Benchmark.total(get(http, metric).path("answer").path("items"));
    }

    private static int replicas(HttpClient http, URI deployment) {
        return get(http, deployment).at("/spec/replicas").asInt();
    }

    private static JsonNode get(HttpClient http, URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static String percentiles(double[] seconds) {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "p50 %.1f s, max %.1f s", sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "event -> replicas changed: %s; of which event -> adapter answer: %s (%d steps, HPA sync %d s)",
                percentiles(toReplicas), percentiles(toAnswer), STEPS, HPA_SYNC_PERIOD.toSeconds());
    }
}

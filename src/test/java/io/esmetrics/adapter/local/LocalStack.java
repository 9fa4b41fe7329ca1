package io.esmetrics.adapter.local;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.Kubectl;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The README's "run it" command ({@code ./mvnw -Plocal}): a real Elasticsearch from Maven Central, a live
 * stream of demo events, and the adapter in the {@code local} profile, until Ctrl-C stops all three.
 */
public final class LocalStack {

    private static final String DEMO_NAMESPACE = DemoEvents.NAMESPACE;
    /** The metric definitions of the install (elasticsearch_ingest_rate besides the built-ins). */
    private static final String METRIC_DEFINITIONS = "k8s/adapter/metrics.yaml";

    public static void main(String[] args) throws Exception {
        System.out.println("Starting Elasticsearch (a few seconds)...");
        ElasticsearchProcess elasticsearch = ElasticsearchProcess.start();
        Process adapter = null;
        ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            elasticsearch.installEventIndexTemplate();
            DemoEvents events = new DemoEvents(DEMO_NAMESPACE);
            events.backfill(elasticsearch, Instant.now());
            feeder.scheduleAtFixedRate(() -> events.feed(elasticsearch, Instant.now()), 1, 1, TimeUnit.SECONDS);

            int port = freePort();
            int managementPort = freePort();
            Path log = elasticsearch.workDir().resolve("adapter.log");
            adapter = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dquarkus.profile=local",
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.port=" + managementPort,
                    "-Dquarkus.elasticsearch.hosts=" + elasticsearch.hostAndPort(),
                    "-Dadapter.rules.files=" + METRIC_DEFINITIONS,
                    "-jar", "target/quarkus-app/quarkus-run.jar"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            awaitAdapter(adapter, port, log);
            Path kubeconfig = Kubectl.configure(elasticsearch.workDir(), "http://127.0.0.1:" + port, Map.of(),
                    Map.of("token", "local-profile-needs-no-token")).kubeconfig();
            Process running = adapter;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("\nStopping the adapter, the demo events and Elasticsearch...");
                feeder.shutdownNow();
                running.destroy();
                try {
                    running.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                elasticsearch.close();
                stopped.countDown();
            }));
            printInstructions(port, managementPort, kubeconfig, log, elasticsearch);
            stopped.await();
        } catch (Exception | Error e) {
            feeder.shutdownNow();
            if (adapter != null) {
                adapter.destroyForcibly();
            }
            elasticsearch.close();
            throw e;
        }
    }

    private static void printInstructions(int port, int managementPort, Path kubeconfig, Path log, ElasticsearchProcess elasticsearch) {
        String api = "/apis/external.metrics.k8s.io/v1beta1";
        String ns = api + "/namespaces/" + DEMO_NAMESPACE;
        System.out.printf("""

                es-metrics-adapter is running on http://127.0.0.1:%d (profile local: plain HTTP, no authentication)
                Elasticsearch: http://%s, fed with live demo events for namespace "%s"
                Adapter log:   %s
                Prometheus:    http://127.0.0.1:%d/q/metrics

                Try, in another terminal:
                  export KUBECONFIG=%s
                  kubectl get --raw "%s"
                  kubectl get --raw "%s/queue_length"
                  kubectl get --raw "%s/queue_length?labelSelector=service%%3Dchat"
                  kubectl get --raw "%s/request_rate?labelSelector=service%%20in%%20(chat,search)"
                  kubectl get --raw "%s/request_rate?labelSelector=status_code%%3D500"
                  kubectl get --raw "%s/no_such_metric"        # Error from server (NotFound)

                What the example autoscalers of k8s/ read (chat, embeddings, Elasticsearch's data nodes):
                  kubectl get --raw "%s/queue_length?labelSelector=service%%3Dchat"
                  kubectl get --raw "%s/request_rate?labelSelector=service%%3Dembeddings,status_code%%20notin%%20(429,503)"
                  kubectl get --raw "%s/namespaces/elastic/elasticsearch_ingest_rate"

                Press Ctrl-C to stop everything.
                """, port, elasticsearch.hostAndPort(), DEMO_NAMESPACE, log, managementPort, kubeconfig, api, ns, ns, ns, ns, ns,
                ns, ns, api);
    }


    private static void awaitAdapter(Process adapter, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline)) {
            if (!adapter.isAlive()) {
                throw new IllegalStateException("the adapter exited; see " + log + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            adapter.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("the adapter did not become ready; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

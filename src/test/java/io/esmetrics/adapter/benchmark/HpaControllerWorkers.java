package io.esmetrics.adapter.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HPA controller's 5 workers polling the ordinary namespaces of {@link TenantScale} ({@code tenant-0} …): each
 * worker its share of the namespaces, both built-ins with a service selector, once per sync period. Latencies are
 * recorded apart until {@link #measure()}, so that the first refreshes do not count. Shared by the multi-tenant and
 * the hostile-tenant scenarios, which must load the adapter the same way to be compared.
 */
final class HpaControllerWorkers implements AutoCloseable {

    private static final int WORKERS = 5;

    private final AtomicBoolean measuring = new AtomicBoolean();
    private final AtomicLong failed = new AtomicLong();
    private final Latencies latencies = new Latencies();
    private final Latencies warmUp = new Latencies();
    private final PacedPollers pollers;

    /** Each worker: its share of the namespaces, both metrics, once per sync period. */
    private HpaControllerWorkers(AdapterProcess adapter, int namespaces, Duration interval) {
        this.pollers = new PacedPollers(WORKERS, namespaces, interval, (http, namespace) -> {
            for (String metric : List.of("queue_length", "request_rate")) {
                long start = System.nanoTime();
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(adapter, namespace, metric)).build(),
                        HttpResponse.BodyHandlers.ofString());
                (measuring.get() ? latencies : warmUp).record(System.nanoTime() - start);
                if (response.statusCode() != 200) {
                    failed.incrementAndGet();
                }
            }
        });
    }

    /** Asks every HPA once ({@link #firstContact}), then starts the workers. */
    static HpaControllerWorkers start(AdapterProcess adapter, int namespaces, Duration interval) throws Exception {
        firstContact(adapter, namespaces, interval);
        return new HpaControllerWorkers(adapter, namespaces, interval);
    }

    /** From now on, latencies count. */
    void measure() {
        measuring.set(true);
    }

    Latencies latencies() {
        return latencies;
    }

    /** Polls not answered 200, warm-up included. */
    long failed() {
        return failed.get();
    }

    /** Stops the workers after their current poll; a worker that failed fails this. */
    @Override
    public void close() throws Exception {
        pollers.close();
    }

    /**
     * Every namespace's HPAs ask once, as when the adapter (or the HPA controller) starts: one search per metric and
     * namespace, 8 at a time, until the next refresh folds them in. What is refused meanwhile (Elasticsearch's search
     * queue is full, the circuit opens) is asked again, as the HPA controller does at its next sync.
     */
    private static void firstContact(AdapterProcess adapter, int namespaces, Duration interval) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads).build();
            List<URI> pending = new ArrayList<>();
            for (int i = 0; i < namespaces; i++) {
                pending.add(uri(adapter, i, "queue_length"));
                pending.add(uri(adapter, i, "request_rate"));
            }
            for (int pass = 1; !pending.isEmpty(); pass++) {
                if (pass > 10) {
                    throw new IllegalStateException(pending.size() + " first contacts still fail:\n" + adapter.logTail(20));
                }
                Semaphore inFlight = new Semaphore(8);
                List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
                for (URI uri : pending) {
                    inFlight.acquire();
                    answers.add(http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                            .whenComplete((response, failure) -> inFlight.release()));
                }
                List<URI> refused = new ArrayList<>();
                for (int i = 0; i < answers.size(); i++) {
                    if (answers.get(i).get().statusCode() != 200) {
                        refused.add(pending.get(i));
                    }
                }
                if (!refused.isEmpty()) {
                    System.out.println("first contact, pass " + pass + ": " + refused.size() + " of " + pending.size()
                            + " refused, asked again after a sync period");
                    Thread.sleep(interval.toMillis());
                }
                pending = refused;
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static URI uri(AdapterProcess adapter, int namespace, String metric) {
        String service = namespace % 2 == 0 ? "chat" : "embeddings";
        return URI.create(adapter.url("/apis/external.metrics.k8s.io/v1beta1/namespaces/" + TenantScale.namespace(namespace)
                + "/" + metric + "?labelSelector=service%3D" + service));
    }
}

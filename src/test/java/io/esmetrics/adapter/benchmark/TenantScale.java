package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The multi-tenant scenario: N namespaces × 2 services, every namespace's HPAs polling {@code queue_length} and
 * {@code request_rate} with a service selector every sync period, by the HPA controller's 5 workers. Time is
 * compressed 5× by default (sync period and refresh interval 3 s); the adapter runs with the heap the Deployment
 * gives it. {@code -Dbenchmark.tenant-namespaces=3000} measures one size only.
 */
record TenantScale(int namespaces, boolean acrossNamespaces, double searchesPerInterval, double shardQueriesPerInterval,
        double queryMillisPerInterval, Latencies polls, double refreshMillis, double refreshOverruns, long rssMib,
        long failedPolls) {

    /** Sync period and refresh interval: 3 s by default (time compressed 5×), {@code -Dbenchmark.tenant-interval-seconds=15} for real time. */
    static final Duration INTERVAL = Duration.ofSeconds(Long.getLong("benchmark.tenant-interval-seconds", 3));
    private static final int WORKERS = 5;
    private static final int MEASURED_INTERVALS = 6;
    /**
     * What the image's run-java script starts the JVM with under the Deployment's 512Mi limit and JAVA_MAX_MEM_RATIO=70
     * ({@code MaxRAM} stands in for the container's limit: the same heap sizing, initial heap included).
     */
    static final List<String> DEPLOYMENT_JVM = List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=70", "-XX:+UseParallelGC",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90",
            "-XX:+ExitOnOutOfMemoryError");

    static String namespace(int i) {
        return "tenant-" + i;
    }

    /** Events for every namespace, now: both services request and report a queue. */
    static void load(ElasticsearchProcess elasticsearch, int namespaces) {
        Events events = Events.create();
        Instant now = Instant.now();
        for (int i = 0; i < namespaces; i++) {
            for (String service : List.of("chat", "embeddings")) {
                events.requests(2, now, namespace(i), service, 200).queueSample(now, namespace(i), service, "q1", i % 17);
            }
        }
        events.indexInto(elasticsearch);
    }



    static TenantScale run(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy, int namespaces, boolean across)
            throws Exception {
        List<String> options = new ArrayList<>(DEPLOYMENT_JVM);
        options.addAll(List.of("-Dadapter.cache.refresh-interval=" + INTERVAL.toSeconds() + "s",
                "-Dadapter.cache.min-query-interval=1s", "-Dadapter.elasticsearch.search-across-namespaces=" + across));
        load(elasticsearch, namespaces);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong failed = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), options)) {
            firstContact(adapter, namespaces);
            Latencies latencies = new Latencies();
            Latencies warmUp = new Latencies();
            AtomicBoolean measuring = new AtomicBoolean();
            List<Future<?>> pollers = new ArrayList<>();
            for (int worker = 0; worker < WORKERS; worker++) {
                int first = worker;
                pollers.add(workers.submit(() -> {
                    poll(adapter, namespaces, first, running, measuring, latencies, warmUp, failed);
                    return null;
                }));
            }
            Thread.sleep(INTERVAL.toMillis() * 2); // two refreshes fold every namespace into one search per metric
            measuring.set(true);
            SearchStats statsBefore = SearchStats.of(elasticsearch);
            long searchesBefore = proxy.searchBodiesMentioning("tenant-");
            double refreshSum = adapter.meter("esmetrics_cache_refresh_seconds_sum");
            double refreshCount = adapter.meter("esmetrics_cache_refresh_seconds_count");
            double overrunsBefore = adapter.meter("esmetrics_cache_refresh_overruns_total");
            Thread.sleep(INTERVAL.toMillis() * MEASURED_INTERVALS);
            SearchStats stats = SearchStats.of(elasticsearch).minus(statsBefore);
            long searches = proxy.searchBodiesMentioning("tenant-") - searchesBefore;
            double refreshes = adapter.meter("esmetrics_cache_refresh_seconds_count") - refreshCount;
            double refreshMillis = refreshes == 0 ? Double.NaN
                    : (adapter.meter("esmetrics_cache_refresh_seconds_sum") - refreshSum) / refreshes * 1000;
            double overruns = adapter.meter("esmetrics_cache_refresh_overruns_total") - overrunsBefore;
            long rss = adapter.residentSetKib() / 1024;
            running.set(false);
            for (Future<?> poller : pollers) {
                poller.get();
            }
            return new TenantScale(namespaces, across, searches / (double) MEASURED_INTERVALS,
                    stats.queries() / (double) MEASURED_INTERVALS, stats.queryMillis() / (double) MEASURED_INTERVALS,
                    latencies, refreshMillis, overruns, rss, failed.get());
        } finally {
            running.set(false);
            workers.shutdownNow();
        }
    }

    /**
     * Every namespace's HPAs ask once, as when the adapter (or the HPA controller) starts: one search per metric and
     * namespace, 8 at a time, until the next refresh folds them in. What is refused meanwhile (Elasticsearch's search
     * queue is full, the circuit opens) is asked again, as the HPA controller does at its next sync.
     */
    private static void firstContact(AdapterProcess adapter, int namespaces) throws Exception {
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
                java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(8);
                List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
                for (URI uri : pending) {
                    inFlight.acquire();
                    answers.add(http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                            .whenComplete((response, failure) -> inFlight.release()));
                }
                List<URI> failed = new ArrayList<>();
                for (int i = 0; i < answers.size(); i++) {
                    if (answers.get(i).get().statusCode() != 200) {
                        failed.add(pending.get(i));
                    }
                }
                if (!failed.isEmpty()) {
                    System.out.println("first contact, pass " + pass + ": " + failed.size() + " of " + pending.size()
                            + " refused, asked again after a sync period");
                    Thread.sleep(INTERVAL.toMillis());
                }
                pending = failed;
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static URI uri(AdapterProcess adapter, int namespace, String metric) {
        String service = namespace % 2 == 0 ? "chat" : "embeddings";
        return URI.create(adapter.url("/apis/external.metrics.k8s.io/v1beta1/namespaces/" + namespace(namespace)
                + "/" + metric + "?labelSelector=service%3D" + service));
    }

    /** One HPA controller worker: its share of the namespaces, both metrics, once per sync period. */
    private static void poll(AdapterProcess adapter, int namespaces, int worker, AtomicBoolean running,
            AtomicBoolean measuring, Latencies latencies, Latencies warmUp, AtomicLong failed) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        while (running.get()) {
            long periodStart = System.nanoTime();
            for (int i = worker; i < namespaces && running.get(); i += WORKERS) {
                for (String metric : List.of("queue_length", "request_rate")) {
                    URI uri = uri(adapter, i, metric);
                    long start = System.nanoTime();
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString());
                    (measuring.get() ? latencies : warmUp).record(System.nanoTime() - start);
                    if (response.statusCode() != 200) {
                        failed.incrementAndGet();
                    }
                }
            }
            long rest = INTERVAL.toNanos() - (System.nanoTime() - periodStart);
            if (rest > 0) {
                Thread.sleep(rest / 1_000_000);
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%,d namespaces, %s: %.1f searches and %.0f shard queries per refresh interval "
                        + "(Elasticsearch query time %.0f ms per interval); polls %s, %d failed; refresh %.0f ms "
                        + "(%.0f overruns of the %d s interval); adapter RSS %d MiB",
                namespaces, acrossNamespaces ? "one search per metric" : "one search per namespace (previous design)",
                searchesPerInterval, shardQueriesPerInterval, queryMillisPerInterval, polls, failedPolls, refreshMillis,
                refreshOverruns, INTERVAL.toSeconds(), rssMib);
    }
}

package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The multi-tenant scenario: N namespaces × 2 services, every namespace's HPAs polling {@code queue_length} and
 * {@code request_rate} with a service selector every sync period, by the HPA controller's 5 workers. Time is
 * compressed 5× by default (sync period and refresh interval 3 s); the adapter runs with the heap the Deployment
 * gives it. Every namespace's events keep arriving while it is measured. {@code -Dbenchmark.tenant-namespaces=3000}
 * measures one size only.
 */
record TenantScale(int namespaces, boolean acrossNamespaces, double searchesPerInterval, double shardQueriesPerInterval,
        double queryMillisPerInterval, Latencies polls, double refreshMillis, double refreshOverruns, long rssMib,
        long failedPolls) {

    /** Sync period and refresh interval: 3 s by default (time compressed 5×), {@code -Dbenchmark.tenant-interval-seconds=15} for real time. */
    static final Duration INTERVAL = Duration.ofSeconds(Long.getLong("benchmark.tenant-interval-seconds", 3));
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

    /**
     * Events written again this often while a size is measured, as services keep sending them: request_rate's 1 minute
     * window then always holds requests of every namespace, and its series are searched as queue_length's are.
     */
    private static final Duration EVENTS_EVERY = Duration.ofSeconds(20);

    /** Events for every namespace, now: both services request and report a queue. */
    static void load(ElasticsearchProcess elasticsearch, int namespaces) {
        events(namespaces).indexInto(elasticsearch);
    }

    /** Keeps writing every namespace's events, as the pipeline does, until closed. */
    static AutoCloseable keepLoading(ElasticsearchProcess elasticsearch, int namespaces) {
        ScheduledExecutorService writer = EventFeed.start("tenant-events", EVENTS_EVERY, EVENTS_EVERY,
                () -> events(namespaces).indexAsThePipelineDoes(elasticsearch));
        return writer::shutdownNow;
    }

    private static Events events(int namespaces) {
        Events events = Events.create();
        Instant now = Instant.now();
        for (int i = 0; i < namespaces; i++) {
            for (String service : List.of("chat", "embeddings")) {
                events.requests(2, now, namespace(i), service, 200).queueSample(now, namespace(i), service, "q1", i % 17);
            }
        }
        return events;
    }

    static TenantScale run(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy, int namespaces, boolean across)
            throws Exception {
        List<String> options = new ArrayList<>(DEPLOYMENT_JVM);
        options.addAll(List.of("-Dadapter.cache.refresh-interval=" + INTERVAL.toSeconds() + "s",
                "-Dadapter.cache.min-query-interval=1s", "-Dadapter.elasticsearch.search-across-namespaces=" + across));
        load(elasticsearch, namespaces);
        try (AutoCloseable live = keepLoading(elasticsearch, namespaces);
                AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), options);
                HpaControllerWorkers workers = HpaControllerWorkers.start(adapter, namespaces, INTERVAL)) {
            Thread.sleep(INTERVAL.toMillis() * 2); // two refreshes fold every namespace into one search per metric
            workers.measure();
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
            workers.close();
            return new TenantScale(namespaces, across, searches / (double) MEASURED_INTERVALS,
                    stats.queries() / (double) MEASURED_INTERVALS, stats.queryMillis() / (double) MEASURED_INTERVALS,
                    workers.latencies(), refreshMillis, overruns, rss, workers.failed());
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

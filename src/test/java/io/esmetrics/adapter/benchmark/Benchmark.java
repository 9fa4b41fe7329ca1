package io.esmetrics.adapter.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;

/**
 * {@code ./mvnw -B -Pbenchmark}: the figures of docs/performance.md, measured on this machine
 * against a real Elasticsearch and the packaged adapter (profile {@code local}; plain HTTP and mTLS). Not a test: it
 * prints numbers, it asserts nothing. Needs {@code wrk} on the PATH.
 */
public final class Benchmark {

    static final String NAMESPACE = "bench";
    static final int SELECTORS = 100;
    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("benchmark.load-seconds", 15));
    private static final int CONNECTIONS = Integer.getInteger("benchmark.connections", 32);
    private static final List<Long> EVENT_COUNTS = List.of(1_000_000L, 10_000_000L);

    public static void main(String[] args) {
        // The fabric8 mock API server leaves Vert.x threads behind that would keep Maven (exec:java) waiting,
        // and hide a failure until they end: exit explicitly either way.
        try {
            measure();
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void measure() throws Exception {
        try (ElasticsearchProcess elasticsearch = ElasticsearchProcess.start();
                ElasticsearchProxy proxy = ElasticsearchProxy.inFrontOf(elasticsearch.hostAndPort())) {
            elasticsearch.installEventIndexTemplate();
            ScheduledExecutorService heartbeat = startHeartbeat(elasticsearch);
            try {
                measure(elasticsearch, proxy);
            } finally {
                heartbeat.shutdownNow();
            }
        }
    }

    private static void measure(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy) throws Exception {
        Events samples = Events.create();
        Instant now = Instant.now();
        IntStream.range(0, SELECTORS).forEach(i -> samples.queueSample(now, NAMESPACE, service(i), "q1", i + 1));
        samples.indexInto(elasticsearch);
        String cachedPath = metricPath("queue_length", "service%3D" + service(1));
        if ("tenants".equals(System.getProperty("benchmark.scenario"))) {
            System.out.println("\n== Elasticsearch requests per 1000 HPA-style polls across " + SELECTORS + " selectors");
            HpaPolls polls = HpaPolls.run(proxy, 1000);
            System.out.println(tenants(elasticsearch, proxy) + "HPA-style polls: " + polls);
            return;
        }
        if ("hpa-reaction".equals(System.getProperty("benchmark.scenario"))) {
            System.out.println("\n== HPA reaction time through a real control plane, HPA sync " + HpaReaction.HPA_SYNC_PERIOD.toSeconds() + " s");
            System.out.println(hpaReaction(elasticsearch));
            return;
        }
        if ("lagging-pipeline".equals(System.getProperty("benchmark.scenario"))) {
            System.out.println("\n== A lagging pipeline: 10 requests per second arriving 0, 20 and 45 s late, then stopped beside a producer 3 min ahead");
            System.out.println(LaggingPipeline.run(elasticsearch, proxy));
            return;
        }
        if ("freshness".equals(System.getProperty("benchmark.scenario"))) {
            System.out.println("\n== Freshness of the values an HPA reads: refresh at a fixed rate and ending before the reads");
            System.out.println(Freshness.run(elasticsearch));
            return;
        }
        if ("hostile-tenant".equals(System.getProperty("benchmark.scenario"))) {
            System.out.println(hostileTenant(elasticsearch, proxy));
            return;
        }
        if (Boolean.getBoolean("benchmark.mtls-only")) {
            System.out.println("mTLS: " + mutualTls(proxy, cachedPath));
            try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), List.of())) {
                System.out.println("plain HTTP, same driver: "
                        + VertxLoad.run(adapter.port(), Optional.empty(), cachedPath, CONNECTIONS, LOAD));
            }
            return;
        }

        System.out.println("\n== Cached metric GET over plain HTTP (profile local), " + CONNECTIONS + " connections");
        Load cached;
        Load vertxPlain;
        AdapterProcess.Startup startup;
        long rss;
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), List.of())) {
            startup = adapter.startup();
            cached = Load.run(adapter.url(cachedPath), CONNECTIONS, LOAD);
            vertxPlain = VertxLoad.run(adapter.port(), Optional.empty(), cachedPath, CONNECTIONS, LOAD);
            rss = adapter.residentSetKib();
        }
        System.out.println(cached + "; the Vert.x driver used for mTLS below, over plain HTTP: " + vertxPlain);

        System.out.println("\n== The same with caching disabled (one Elasticsearch search per request)");
        Load uncached;
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), List.of("-Dadapter.cache.enabled=false"))) {
            uncached = Load.run(adapter.url(cachedPath), CONNECTIONS, LOAD);
        }
        System.out.println(uncached);

        if ("throughput".equals(System.getProperty("benchmark.scenario"))) {
            System.out.println("\n== Cached metric GET over mTLS (client certificate authentication), " + CONNECTIONS
                    + " connections, Vert.x driver (wrk has no client certificates)");
            Load mutualTls = mutualTls(proxy, cachedPath);
            System.out.println("mTLS: " + mutualTls + "; plain HTTP, same driver: " + vertxPlain);
            System.out.println("\n== Refresh latency (one uncached request_rate + queue_length search) by indexed events");
            List<String> refresh = RefreshLatency.run(elasticsearch, proxy, EVENT_COUNTS);
            System.out.print("\n==================== Summary ====================\n"
                    + throughputSummary(cached, uncached, mutualTls, vertxPlain, refresh, startup, rss));
            return;
        }

        // Before the 10M events below, which would make every search of these scenarios slower than it is.
        String tenants = tenants(elasticsearch, proxy);
        HostileTenant hostile = hostileTenant(elasticsearch, proxy);

        System.out.println("\n== Elasticsearch requests per 1000 HPA-style polls across " + SELECTORS + " selectors");
        HpaPolls polls = HpaPolls.run(proxy, 1000);

        System.out.println("\n== Refresh latency (one uncached request_rate + queue_length search) by indexed events");
        List<String> refresh = RefreshLatency.run(elasticsearch, proxy, EVENT_COUNTS);

        System.out.println("\n== Cached metric GET over mTLS (client certificate authentication), " + CONNECTIONS
                + " connections, Vert.x driver (wrk has no client certificates)");
        Load mutualTls = mutualTls(proxy, cachedPath);
        System.out.println("mTLS: " + mutualTls + "; plain HTTP, same driver: " + vertxPlain);

        System.out.println("\n== HPA reaction time through a real control plane, HPA sync " + HpaReaction.HPA_SYNC_PERIOD.toSeconds() + " s");
        String reaction = hpaReaction(elasticsearch);
        System.out.println(reaction);

        System.out.println("\n== Freshness of the values an HPA reads: refresh at a fixed rate and ending before the reads");
        String freshness = Freshness.run(elasticsearch);
        System.out.println(freshness);

        System.out.println("\n== A lagging pipeline: 10 requests per second arriving 0, 20 and 45 s late, then stopped beside a producer 3 min ahead");
        String lagging = LaggingPipeline.run(elasticsearch, proxy);
        System.out.println(lagging);

        System.out.printf(Locale.ROOT, """

                ==================== Summary ====================
                %sES requests per 1000 polls over %d selectors: %s
                HPA reaction:          %s
                freshness:             %s
                lagging pipeline:      %s
                %shostile tenant:
                %s""", throughputSummary(cached, uncached, mutualTls, vertxPlain, refresh, startup, rss), SELECTORS, polls,
                reaction, freshness, lagging, tenants, hostile);
    }

    private static String throughputSummary(Load cached, Load uncached, Load mutualTls, Load vertxPlain, List<String> refresh,
            AdapterProcess.Startup startup, long rssKib) {
        return String.format(Locale.ROOT, """
                cached GET (HTTP):     %s
                uncached GET (HTTP):   %s
                cached GET (mTLS, Vert.x driver):      %s
                cached GET (HTTP, same Vert.x driver): %s
                cached / uncached:     %.0fx
                refresh latency:       %s
                adapter start-up:      %s
                adapter RSS after load: %d MiB
                """, cached, uncached, mutualTls, vertxPlain, cached.requestsPerSecond() / uncached.requestsPerSecond(),
                String.join("; ", refresh), startup, rssKib / 1024);
    }

    /**
     * Multi-tenant scale (one refresh search per metric for all namespaces, against one per namespace) and a
     * distinct-selector flood; {@code -Dbenchmark.scenario=tenants} runs these and the HPA-style polls alone.
     */
    private static String tenants(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy) throws Exception {
        StringBuilder summary = new StringBuilder();
        List<Integer> sizes = Integer.getInteger("benchmark.tenant-namespaces") == null
                ? List.of(300, 3_000) : List.of(Integer.getInteger("benchmark.tenant-namespaces"));
        for (int namespaces : sizes) {
            for (boolean across : List.of(true, false)) {
                System.out.println("\n== " + namespaces + " namespaces × 2 services, both built-ins polled every "
                        + TenantScale.INTERVAL.toSeconds() + " s by 5 workers" + (across ? "" : ", previous design"));
                TenantScale scale = TenantScale.run(elasticsearch, proxy, namespaces, across);
                System.out.println(scale);
                summary.append("multi-tenant: ").append(scale).append('\n');
            }
        }
        System.out.println("\n== 20,000 distinct selectors from one namespace, 16 connections");
        SelectorFlood flood = SelectorFlood.run(elasticsearch, proxy, 20_000);
        System.out.println(flood);
        return summary.append("selector flood: ").append(flood).append('\n').toString();
    }

    /** {@code -Dbenchmark.scenario=hostile-tenant} runs this alone. */
    private static HostileTenant hostileTenant(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy) throws Exception {
        System.out.println("\n== A hostile tenant: " + HostileTenant.NAMESPACES + " ordinary namespaces polled every "
                + TenantScale.INTERVAL.toSeconds() + " s, alone and beside one namespace at every bound");
        // Other work on a shared machine skews both runs: say how busy it was.
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
        HostileTenant hostile = HostileTenant.run(elasticsearch, proxy);
        System.out.printf(Locale.ROOT, "%s, %d cores, %s; load average before: %s, after: %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                loadBefore, Files.readString(Path.of("/proc/loadavg")).strip());
        return hostile;
    }

    /**
     * Events keep arriving (in a namespace of their own) for the whole run, as from a healthy pipeline: without them
     * the adapter would rightly report the pipeline stalled a minute after the last load, and answer 503.
     */
    private static ScheduledExecutorService startHeartbeat(ElasticsearchProcess elasticsearch) {
        return EventFeed.start("heartbeat-events", Duration.ZERO, Duration.ofSeconds(1), () -> {
            Instant now = Instant.now();
            Events.create().requests(1, now, "heartbeat", "chat", 200).queueSample(now, "heartbeat", "chat", "q1", 1)
                    .indexInto(elasticsearch);
        });
    }

    private static Load mutualTls(ElasticsearchProxy proxy, String path) throws Exception {
        try (MutualTlsSetup tls = MutualTlsSetup.create();
                AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), tls.adapterOptions())) {
            try {
                return VertxLoad.run(tls.httpsPort(), Optional.of(tls.credentials()), path, CONNECTIONS, LOAD);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + "\nThe adapter's log ends with:\n" + adapter.logTail(40), e);
            }
        }
    }

    /** The real HPA loop with the refresh at a fixed rate, then with the refresh that ends before the reads. */
    private static String hpaReaction(ElasticsearchProcess elasticsearch) throws Exception {
        HpaReaction fixed = HpaReaction.run(elasticsearch, Map.of("adapter.cache.align-to-reads", "false"));
        HpaReaction aligned = HpaReaction.run(elasticsearch, Map.of("adapter.cache.align-to-reads", "true"));
        return "refresh at a fixed rate: " + fixed + "\nrefresh ending before the reads: " + aligned;
    }

    /** The sum of the items of an ExternalMetricValueList's {@code items}, as the HPA adds them up. */
    static double total(JsonNode items) {
        double total = 0;
        for (JsonNode item : items) {
            total += Quantity.getAmountInBytes(new Quantity(item.path("value").asText())).doubleValue();
        }
        return total;
    }

    static String service(int i) {
        return "svc-" + i;
    }

    static String metricPath(String metric, String encodedSelector) {
        return "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + NAMESPACE + "/" + metric
                + (encodedSelector.isEmpty() ? "" : "?labelSelector=" + encodedSelector);
    }
}

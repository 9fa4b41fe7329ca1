package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.Kubectl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One namespace at every bound a team can reach with the adapter's defaults (docs/elasticsearchmetric.md, "Bounds per
 * resource and per namespace"): {@value #RESOURCES} ElasticsearchMetrics ({@code max-per-namespace}), each with 5
 * labels ({@code max-labels}) over fields whose combinations make {@value #SERIES} series, just under the 10,000 of
 * {@code max-series}; {@code ai-events-*}, the widest pattern allowed ({@code *} is refused); {@code window} 1h,
 * {@code ingestLag} 5m and, for {@code latest}, {@code staleness} 1h, the longest allowed. Every aggregation adds up,
 * so every answer holds all the series of the namespace. Its own HPAs read all of them every sync period, as a team
 * that keeps its metrics refreshed would.
 */
final class HostileNamespace implements AutoCloseable {

    static final String NAME = "hostile";
    /** What the hostile namespace's events and searches (and only they) mention. */
    static final String DATASET = "ai.hostile";
    private static final int RESOURCES = 50;
    private static final int SERIES = 9_900;
    private static final int EVENTS_PER_SERIES = 3;
    private static final int POLLERS = 5;
    private static final List<String> AGGREGATIONS = List.of("rate", "count", "sum", "latest");
    /** Label → field; the session makes every combination distinct. */
    private static final Map<String, String> LABELS = new TreeMap<>(Map.of("model", "ai.model", "region", "cloud.region",
            "customer", "customer.id", "route", "url.path", "session", "session.id"));
    private static final DateTimeFormatter DAILY_INDEX =
            DateTimeFormatter.ofPattern("'ai-events-'yyyy.MM.dd").withZone(ZoneOffset.UTC);

    private final Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
    private final Latencies latencies = new Latencies();
    private final PacedPollers pollers;

    /** Its HPAs, on workers of their own: the HPA controller's, as far as this namespace's HPAs go. */
    private HostileNamespace(AdapterProcess adapter, Duration interval) {
        pollers = new PacedPollers(POLLERS, RESOURCES, interval, (http, resource) -> {
            long start = System.nanoTime();
            int status = http.send(HttpRequest.newBuilder(uri(adapter, resource)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            latencies.record(System.nanoTime() - start);
            answers.computeIfAbsent(status, code -> new AtomicLong()).incrementAndGet();
        });
    }

    /**
     * {@value #SERIES} × {@value #EVENTS_PER_SERIES} events between 45 and 6 minutes ago: inside the 1h window that
     * ends 5m before now, and within the 1h staleness, for as long as a run lasts.
     */
    static void load(ElasticsearchProcess elasticsearch) {
        Instant now = Instant.now();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder bulk = new StringBuilder();
        for (int series = 0; series < SERIES; series++) {
            for (int event = 0; event < EVENTS_PER_SERIES; event++) {
                Instant at = now.minus(Duration.ofMinutes(6)).minusMillis(random.nextLong(Duration.ofMinutes(39).toMillis()));
                bulk.append("{\"create\":{\"_index\":\"").append(DAILY_INDEX.format(at)).append("\"}}\n")
                        .append(String.format(Locale.ROOT, "{\"@timestamp\":%d,\"kubernetes\":{\"namespace\":\"%s\"},"
                                + "\"event\":{\"dataset\":\"%s\"},\"ai\":{\"model\":\"m%d\",\"tokens\":%d},"
                                + "\"cloud\":{\"region\":\"r%d\"},\"customer\":{\"id\":\"c%d\"},\"url\":{\"path\":\"/p%d\"},"
                                + "\"session\":{\"id\":\"s%d\"}}\n", at.toEpochMilli(), NAME, DATASET, series % 10,
                                random.nextInt(1000), series / 10 % 10, series / 100 % 10, series / 1000, series));
            }
        }
        var answer = elasticsearch.request("POST", "/_bulk?refresh=wait_for&filter_path=errors", bulk.toString());
        if (answer.path("errors").asBoolean()) {
            throw new IllegalStateException("bulk indexing the hostile namespace's events failed");
        }
    }

    /** The namespace and its resources, applied with kubectl. */
    static void declare(Kubectl kubectl, Path dir) throws Exception {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + NAME + "}\n");
        String labels = LABELS.entrySet().stream().map(label -> label.getKey() + ": " + label.getValue())
                .reduce((a, b) -> a + ", " + b).orElseThrow();
        for (int i = 0; i < RESOURCES; i++) {
            String aggregation = AGGREGATIONS.get(i % AGGREGATIONS.size());
            yaml.append("---\napiVersion: esmetrics.io/v1alpha1\nkind: ElasticsearchMetric\n")
                    .append("metadata: {name: ").append(metric(i)).append(", namespace: ").append(NAME).append("}\n")
                    .append("spec:\n  indexPattern: ai-events-*\n  filter: {event.dataset: [").append(DATASET).append("]}\n")
                    .append("  aggregation: ").append(aggregation).append('\n')
                    .append(aggregation.equals("rate") || aggregation.equals("count") ? "" : "  field: ai.tokens\n")
                    .append(aggregation.equals("latest") ? "  staleness: 1h\n" : "")
                    .append("  window: 1h\n  ingestLag: 5m\n  labels: {").append(labels).append("}\n");
        }
        kubectl.run("apply", "--server-side", "-f", Files.writeString(dir.resolve("hostile.yaml"), yaml).toString())
                .requireSuccess();
    }

    /** Starts the namespace's HPAs once the adapter serves every one of its metrics. */
    static HostileNamespace startPolling(AdapterProcess adapter, Duration interval) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        for (int i = 0; i < RESOURCES; i++) {
            while (http.send(HttpRequest.newBuilder(uri(adapter, i)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 404) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(metric(i) + " is not served after 2 minutes:\n" + adapter.logTail(30));
                }
                Thread.sleep(200);
            }
        }
        return new HostileNamespace(adapter, interval);
    }

    private static String metric(int i) {
        return String.format(Locale.ROOT, "hostile-%02d", i);
    }

    private static URI uri(AdapterProcess adapter, int i) {
        return URI.create(adapter.url("/apis/external.metrics.k8s.io/v1beta1/namespaces/" + NAME + "/" + metric(i)
                + "?labelSelector=model%3Dm" + (i % 10)));
    }

    /** Its HPAs' polls so far, by status code, and their latencies. */
    String polls() {
        return new TreeMap<>(answers) + " by status, " + latencies;
    }

    @Override
    public void close() throws Exception {
        pollers.close();
    }
}

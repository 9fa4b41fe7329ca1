package io.esmetrics.adapter.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a lagging pipeline does to a rate, in real time: 10 requests per second, each written to Elasticsearch a delay
 * after its own time, as a pipeline that is behind delivers them (no forced refresh). The delay is 0, then 20 s (the
 * pipeline pauses 20 s and then delivers late), then 45 s. Two metrics over the same events, read every second: the
 * default (the window ends at the watermark) and {@code stalledAfter: 0s} (the window ends {@code ingestLag} before
 * now, as every window did before the watermark), each as value / true rate. The events go to indices of their own,
 * so the benchmark's heartbeat, which arrives on time, does not move their watermark.
 */
final class LaggingPipeline {

    private static final double RATE = 10;
    private static final String PREFIX = "lag-events-";
    private static final String NAMESPACE = "lagging";
    private static final List<Duration> LAGS = List.of(Duration.ZERO, Duration.ofSeconds(20), Duration.ofSeconds(45));
    /** Each lag held this long: one window to fill, then half a minute read. */
    private static final Duration PHASE = Duration.ofSeconds(100);
    private static final Duration SETTLED_AFTER = Duration.ofSeconds(70);
    private static final String DEFINITIONS = """
            metrics:
              lag_rate:
                indexPattern: lag-events-*
                filter: {event.dataset: ai.request}
                aggregation: rate
                window: 1m
                ingestLag: 5s
              lag_rate_without_watermark:
                indexPattern: lag-events-*
                filter: {event.dataset: ai.request}
                aggregation: rate
                window: 1m
                ingestLag: 5s
                stalledAfter: 0s
            """;
    private static final ObjectMapper JSON = new ObjectMapper();

    private LaggingPipeline() {
    }

    static String run(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy) throws Exception {
        Path definitions = Files.createTempFile("es-metrics-adapter-lag-", ".yaml");
        Files.writeString(definitions, DEFINITIONS);
        AtomicLong lagMillis = new AtomicLong();
        AtomicLong written = new AtomicLong(System.currentTimeMillis() / 100 * 100);
        // Every 100 ms, the events whose time has come, less the lag: one per 100 ms of event time, none skipped.
        ScheduledExecutorService pipeline = EventFeed.start("lagging-pipeline", Duration.ZERO, Duration.ofMillis(100), () -> {
            long until = System.currentTimeMillis() - lagMillis.get();
            Events events = Events.create();
            for (long at = written.get() + 100; at <= until; at += 100) {
                events.requests(1, Instant.ofEpochMilli(at), NAMESPACE, "chat", 200);
                written.set(at);
            }
            if (!events.isEmpty()) {
                events.indexAsThePipelineDoes(elasticsearch, PREFIX);
            }
        });
        List<String> lines = new ArrayList<>();
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(),
                List.of("-Dadapter.rules.files=" + definitions))) {
            HttpClient http = HttpClient.newHttpClient();
            for (Duration lag : LAGS) {
                lagMillis.set(lag.toMillis());
                List<Double> withWatermark = new ArrayList<>();
                List<Double> without = new ArrayList<>();
                Instant phaseEnd = Instant.now().plus(PHASE);
                Instant settled = Instant.now().plus(SETTLED_AFTER);
                while (Instant.now().isBefore(phaseEnd)) {
                    TimeUnit.SECONDS.sleep(1);
                    if (Instant.now().isAfter(settled)) {
                        withWatermark.add(ratio(http, adapter, "lag_rate"));
                        without.add(ratio(http, adapter, "lag_rate_without_watermark"));
                    }
                }
                String line = String.format(Locale.ROOT, "pipeline %2d s behind: value / true rate, window at the watermark %s;"
                        + " window %s before now %s", lag.toSeconds(), spread(withWatermark), "5 s", spread(without));
                System.out.println(line);
                lines.add(line);
            }
        } finally {
            pipeline.shutdownNow();
            Files.deleteIfExists(definitions);
        }
        return String.join("\n", lines);
    }

    /** The metric's value over the true rate; NaN for an answer that is not a value (a 503). */
    private static double ratio(HttpClient http, AdapterProcess adapter, String metric) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(adapter.url(
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + NAMESPACE + "/" + metric))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return Double.NaN;
        }
        return Benchmark.total(JSON.readTree(response.body()).path("items")) / RATE;
    }

    private static String spread(List<Double> ratios) {
        double[] values = ratios.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).sorted().toArray();
        long errors = ratios.size() - values.length;
        if (values.length == 0) {
            return "no value (" + errors + " errors)";
        }
        return String.format(Locale.ROOT, "min %.2f, p50 %.2f, max %.2f over %d reads%s", values[0], values[values.length / 2],
                values[values.length - 1], ratios.size(), errors == 0 ? "" : ", " + errors + " errors");
    }
}

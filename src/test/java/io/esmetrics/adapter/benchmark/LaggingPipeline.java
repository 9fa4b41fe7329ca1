package io.esmetrics.adapter.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a lagging pipeline does to a rate, in real time: 10 requests per second, each written to Elasticsearch a delay
 * after its own time, as a pipeline that is behind delivers them (no forced refresh), stamped with their arrival
 * ({@code event.ingested}) as the shipped final pipeline does. The delay is 0, then 20 s (the pipeline pauses 20 s and
 * then delivers late), then 45 s. Two metrics over the same events, read every second: the default (the window ends at
 * the watermark) and {@code stalledAfter: 0s} (the window ends {@code ingestLag} before now, as every window did before
 * the watermark), each as value / true rate. Then the pipeline stops while it also carries another namespace's events
 * stamped 3 minutes ahead, and the default metric is read until it answers 503. The events go to indices of their
 * own, so the benchmark's heartbeat, which arrives on time, does not move their watermark.
 */
final class LaggingPipeline {

    private static final double RATE = 10;
    private static final String PREFIX = "lag-events-";
    private static final String NAMESPACE = "lagging";
    private static final String AHEAD_NAMESPACE = "ahead";
    /** How far the other namespace's producer's clock runs ahead: event times that look current long after a stop. */
    private static final Duration AHEAD = Duration.ofMinutes(3);
    private static final List<Duration> LAGS = List.of(Duration.ZERO, Duration.ofSeconds(20), Duration.ofSeconds(45));
    /** Each lag held this long: one window to fill, then half a minute read. */
    private static final Duration PHASE = Duration.ofSeconds(100);
    private static final Duration SETTLED_AFTER = Duration.ofSeconds(70);
    /**
     * After the stop, a stall is noticed within stalledAfter (32.5 s) and a look-up (10 s); the last whole value is
     * then served for its staleness budget (2 min) before the 503. Measuring by event time alone, the producer ahead
     * delays the stall by its 3 minutes: reads go on until both adapters answer 503, at most this long.
     */
    private static final Duration STOPPED_AT_MOST = Duration.ofMinutes(7);
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
    /** The design before arrival stamps: stalls and watermarks by event time, whatever a producer's clock says. */
    private static final List<String> BY_EVENT_TIME_ALONE = List.of("-Dadapter.elasticsearch.arrival-field=no.arrival.stamp",
            "-Dadapter.elasticsearch.producer-clock-skew=1h");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: value / true rate and how far its window ended before the read; NaN for a 503. */
    private record Read(double ratio, double lateSeconds) {
    }

    private LaggingPipeline() {
    }

    static String run(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy) throws Exception {
        Path definitions = Files.createTempFile("es-metrics-adapter-lag-", ".yaml");
        Files.writeString(definitions, DEFINITIONS);
        AtomicLong lagMillis = new AtomicLong();
        AtomicLong written = new AtomicLong(System.currentTimeMillis() / 100 * 100);
        AtomicBoolean delivering = new AtomicBoolean(true);
        AtomicBoolean aheadProducing = new AtomicBoolean();
        // Every 100 ms, the events whose time has come, less the lag: one per 100 ms of event time, none skipped, each
        // stamped with the moment it arrives. The producer ahead sends through the same pipeline: it stops with it.
        ScheduledExecutorService pipeline = EventFeed.start("lagging-pipeline", Duration.ZERO, Duration.ofMillis(100), () -> {
            if (!delivering.get()) {
                return;
            }
            long until = System.currentTimeMillis() - lagMillis.get();
            Events events = Events.create();
            for (long at = written.get() + 100; at <= until; at += 100) {
                events.requests(1, Instant.ofEpochMilli(at), NAMESPACE, "chat", 200);
                if (aheadProducing.get()) {
                    events.requests(1, Instant.ofEpochMilli(at).plus(AHEAD), AHEAD_NAMESPACE, "chat", 200);
                }
                written.set(at);
            }
            if (!events.isEmpty()) {
                events.arrivedAt(Instant.now()).indexAsThePipelineDoes(elasticsearch, PREFIX);
            }
        });
        List<String> lines = new ArrayList<>();
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(),
                List.of("-Dadapter.rules.files=" + definitions))) {
            HttpClient http = HttpClient.newHttpClient();
            for (Duration lag : LAGS) {
                lagMillis.set(lag.toMillis());
                List<Read> withWatermark = new ArrayList<>();
                List<Read> without = new ArrayList<>();
                Instant phaseEnd = Instant.now().plus(PHASE);
                Instant settled = Instant.now().plus(SETTLED_AFTER);
                while (Instant.now().isBefore(phaseEnd)) {
                    TimeUnit.SECONDS.sleep(1);
                    if (Instant.now().isAfter(settled)) {
                        withWatermark.add(read(http, adapter, "lag_rate"));
                        without.add(read(http, adapter, "lag_rate_without_watermark"));
                    }
                }
                lines.add(print(String.format(Locale.ROOT, "pipeline %2d s behind: value / true rate, window at the watermark %s;"
                        + " window %s before now %s", lag.toSeconds(), spread(withWatermark), "5 s", spread(without))));
            }
            lines.add(print(stopBesideAProducerAhead(http, adapter, proxy, definitions, lagMillis, aheadProducing, delivering)));
        } finally {
            pipeline.shutdownNow();
            Files.deleteIfExists(definitions);
        }
        return String.join("\n", lines);
    }

    /**
     * The pipeline on time, carrying another namespace's events stamped {@link #AHEAD} in the future, then stopped:
     * the newest event time stays "current" for 3 minutes, the newest arrival does not. Read every second beside an
     * adapter that measures by event time alone, started for this phase with the same metrics.
     */
    private static String stopBesideAProducerAhead(HttpClient http, AdapterProcess adapter, ElasticsearchProxy proxy,
            Path definitions, AtomicLong lagMillis, AtomicBoolean aheadProducing, AtomicBoolean delivering) throws Exception {
        lagMillis.set(0);
        aheadProducing.set(true);
        List<String> options = new ArrayList<>(List.of("-Dadapter.rules.files=" + definitions));
        options.addAll(BY_EVENT_TIME_ALONE);
        try (AdapterProcess byEventTime = AdapterProcess.start(proxy.hostAndPort(), options)) {
            // A whole window on time first, so that the value at the stop is whole.
            TimeUnit.MILLISECONDS.sleep(SETTLED_AFTER.toMillis());
            Read beforeStop = read(http, adapter, "lag_rate");
            delivering.set(false);
            Instant stop = Instant.now();
            List<Read> reads = new ArrayList<>();
            List<Read> byEventTimeReads = new ArrayList<>();
            int noticed = -1;
            int noticedByEventTime = -1;
            Instant end = stop.plus(STOPPED_AT_MOST);
            while (Instant.now().isBefore(end) && !(answered503(reads) && answered503(byEventTimeReads))) {
                // One read a second, on the second after the stop: read i is i + 1 seconds after it.
                TimeUnit.MILLISECONDS.sleep(Math.max(0, stop.plusSeconds(reads.size() + 1).toEpochMilli() - System.currentTimeMillis()));
                noticed = noticed < 0 && stalled(adapter) ? reads.size() : noticed;
                noticedByEventTime = noticedByEventTime < 0 && stalled(byEventTime) ? reads.size() : noticedByEventTime;
                reads.add(read(http, adapter, "lag_rate"));
                byEventTimeReads.add(read(http, byEventTime, "lag_rate"));
            }
            int first503 = first503(reads);
            List<Read> beforeThe503 = reads.subList(0, first503 < 0 ? reads.size() : first503);
            return String.format(Locale.ROOT, "pipeline stopped, a producer %d min ahead in another namespace: value / true rate"
                    + " %.2f at the stop, then %s, stall noticed after %s, first 503 after %s; zero values served: %d, values"
                    + " after the first 503: %d. Measured by event time alone: stall noticed after %s, %s", AHEAD.toMinutes(),
                    beforeStop.ratio(), spread(beforeThe503), after(noticed), after(first503), zeros(reads),
                    values(reads.subList(beforeThe503.size(), reads.size())), after(noticedByEventTime), byEventTime(byEventTimeReads));
        } finally {
            aheadProducing.set(false);
        }
    }

    /** Whether the adapter's own gauge says lag_rate has no current data (the pipeline looks stalled). */
    private static boolean stalled(AdapterProcess adapter) throws Exception {
        return adapter.meters().lines().anyMatch(line -> line.startsWith("esmetrics_ingest_stalled{")
                && line.contains("metric=\"lag_rate\"") && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) == 1);
    }

    private static String byEventTime(List<Read> reads) {
        int firstZero = -1;
        int lastZero = -1;
        for (int i = 0; i < reads.size(); i++) {
            if (reads.get(i).ratio() == 0) {
                firstZero = firstZero < 0 ? i : firstZero;
                lastZero = i;
            }
        }
        return String.format(Locale.ROOT, "zero values served: %d%s, first 503 after %s", zeros(reads),
                firstZero < 0 ? "" : ", from " + (firstZero + 1) + " s to " + (lastZero + 1) + " s", after(first503(reads)));
    }

    private static boolean answered503(List<Read> reads) {
        return first503(reads) >= 0;
    }

    private static int first503(List<Read> reads) {
        for (int i = 0; i < reads.size(); i++) {
            if (Double.isNaN(reads.get(i).ratio())) {
                return i;
            }
        }
        return -1;
    }

    private static String after(int read) {
        return read < 0 ? "none" : (read + 1) + " s";
    }

    private static long zeros(List<Read> reads) {
        return reads.stream().filter(read -> read.ratio() == 0).count();
    }

    private static long values(List<Read> reads) {
        return reads.stream().filter(read -> !Double.isNaN(read.ratio())).count();
    }

    private static String print(String line) {
        System.out.println(line);
        return line;
    }

    /** One answer of the metric for {@link #NAMESPACE}: any status but 200 is no value. */
    private static Read read(HttpClient http, AdapterProcess adapter, String metric) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(adapter.url(
                "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + NAMESPACE + "/" + metric))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return new Read(Double.NaN, Double.NaN);
        }
        JsonNode items = JSON.readTree(response.body()).path("items");
        // A value's timestamp is where its window ended: a value served after its pipeline stalled grows late.
        double late = items.isEmpty() ? Double.NaN
                : Duration.between(Instant.parse(items.path(0).path("timestamp").asText()), Instant.now()).toMillis() / 1000.0;
        return new Read(Benchmark.total(items) / RATE, late);
    }

    private static String spread(List<Read> reads) {
        double[] values = reads.stream().mapToDouble(Read::ratio).filter(Double::isFinite).sorted().toArray();
        double[] late = reads.stream().mapToDouble(Read::lateSeconds).filter(Double::isFinite).sorted().toArray();
        long errors = reads.size() - values.length;
        if (values.length == 0) {
            return "no value (" + errors + " errors)";
        }
        return String.format(Locale.ROOT, "min %.2f, p50 %.2f, max %.2f over %d reads%s%s", values[0], values[values.length / 2],
                values[values.length - 1], reads.size(), errors == 0 ? "" : ", " + errors + " errors",
                late.length == 0 ? "" : String.format(Locale.ROOT, " (late by %.0f to %.0f s)", late[0], late[late.length - 1]));
    }
}

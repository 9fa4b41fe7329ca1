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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fresh the values an HPA reads are, for the refresh at a fixed rate and the refresh that ends just before the
 * reads, side by side in one run: two adapters (each behind its own counting proxy) on the same Elasticsearch, read by
 * one HPA-like reader every 15 s at a steady phase, while new {@code queue_length} samples (a higher backlog each time)
 * are written at random moments as the pipeline writes them, searchable after Elasticsearch's own 1 s refresh.
 * <p>
 * Per design: the time from a sample written to the first read that returns it (the HPA's view: its own period is
 * part of it, so the reader's wait alone is printed beside it), the age of the value at each read (from the
 * explanation's {@code computedAt}), and searches per minute for the reader's namespace.
 */
final class Freshness {

    static final Duration READ_PERIOD = Duration.ofSeconds(15);
    private static final int STEPS = Integer.getInteger("benchmark.freshness-steps", 50);
    private static final int STEPS_PER_PERIOD = 2;
    /** Reads after the last step, for the last steps' answers. */
    private static final int TRAILING_READS = 3;
    private static final String NAMESPACE = "freshness";
    private static final String SERVICE = "fresh";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Design(String name, AdapterProcess adapter, ElasticsearchProxy proxy) {
    }

    /** What one design showed: seconds per step and per read. */
    private record Figures(String name, double[] stepToRead, double[] ageAtRead, double searchesPerMinute,
            double requestsPerMinute) {
    }

    private Freshness() {
    }

    static String run(ElasticsearchProcess elasticsearch) throws Exception {
        Random random = new Random(Long.getLong("benchmark.seed", 20261207L));
        Events.create().queueSample(Instant.now(), NAMESPACE, SERVICE, "q1", 0).indexInto(elasticsearch);
        try (ElasticsearchProxy fixedProxy = ElasticsearchProxy.inFrontOf(elasticsearch.hostAndPort());
                ElasticsearchProxy alignedProxy = ElasticsearchProxy.inFrontOf(elasticsearch.hostAndPort());
                AdapterProcess fixed = AdapterProcess.start(fixedProxy.hostAndPort(), List.of("-Dadapter.cache.align-to-reads=false"));
                AdapterProcess aligned = AdapterProcess.start(alignedProxy.hostAndPort(), List.of("-Dadapter.cache.align-to-reads=true"))) {
            List<Design> designs = List.of(new Design("fixed rate (before)", fixed, fixedProxy),
                    new Design("ends before the reads", aligned, alignedProxy));
            return measure(elasticsearch, designs, random);
        }
    }

    private static String measure(ElasticsearchProcess elasticsearch, List<Design> designs, Random random) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int periods = (STEPS + STEPS_PER_PERIOD - 1) / STEPS_PER_PERIOD;
        // The reader's phase: whole periods from now, plus a phase unrelated to the adapters' start-up.
        Instant firstRead = Instant.now().plus(READ_PERIOD).plusMillis(random.nextInt((int) READ_PERIOD.toMillis()));
        List<Instant> stepTimes = new ArrayList<>();
        for (int period = 1; period <= periods; period++) {
            for (int i = 0; i < STEPS_PER_PERIOD && stepTimes.size() < STEPS; i++) {
                stepTimes.add(firstRead.plus(READ_PERIOD.multipliedBy(period))
                        .plusMillis(random.nextInt((int) READ_PERIOD.toMillis())));
            }
        }
        stepTimes.sort(null);
        int reads = periods + 2 + TRAILING_READS;
        Instant[] written = new Instant[STEPS];
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> writing = writer.submit(() -> {
            for (int step = 0; step < STEPS; step++) {
                sleepUntil(stepTimes.get(step));
                written[step] = Instant.now();
                Events.create().queueSample(written[step], NAMESPACE, SERVICE, "q1", step + 1).indexAsThePipelineDoes(elasticsearch);
            }
            return null;
        });
        long[] searchesBefore = designs.stream().mapToLong(design -> design.proxy().searchBodiesMentioning(NAMESPACE)).toArray();
        long[] requestsBefore = designs.stream().mapToLong(design -> design.proxy().requests()).toArray();
        double[][] valueAtRead = new double[designs.size()][reads];
        double[][] ageAtRead = new double[designs.size()][reads];
        Instant[] readAt = new Instant[reads];
        for (int read = 0; read < reads; read++) {
            sleepUntil(firstRead.plus(READ_PERIOD.multipliedBy(read)));
            readAt[read] = Instant.now();
            for (int d = 0; d < designs.size(); d++) {
                valueAtRead[d][read] = Benchmark.total(get(http, designs.get(d).adapter(), "").path("items"));
            }
            for (int d = 0; d < designs.size(); d++) {
                JsonNode explained = get(http, designs.get(d).adapter(), "&explain=true");
                ageAtRead[d][read] = Duration.between(Instant.parse(explained.path("answer").path("computedAt").asText()),
                        readAt[read]).toMillis() / 1000.0;
            }
            System.out.printf(Locale.ROOT, "read %d: %s%n", read + 1, describe(designs, valueAtRead, ageAtRead, read));
        }
        writing.get();
        writer.shutdown();
        double minutes = Duration.between(firstRead, readAt[reads - 1]).toMillis() / 60_000.0;
        List<Figures> figures = new ArrayList<>();
        for (int d = 0; d < designs.size(); d++) {
            double[] stepToRead = new double[STEPS];
            for (int step = 0; step < STEPS; step++) {
                stepToRead[step] = firstReadShowing(step + 1, written[step], readAt, valueAtRead[d]);
            }
            // The first two reads come before the first step and while the refresh learns the phase.
            figures.add(new Figures(designs.get(d).name(), stepToRead, Arrays.copyOfRange(ageAtRead[d], 2, reads),
                    (designs.get(d).proxy().searchBodiesMentioning(NAMESPACE) - searchesBefore[d]) / minutes,
                    (designs.get(d).proxy().requests() - requestsBefore[d]) / minutes));
        }
        double[] readerWait = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            readerWait[step] = firstReadAfter(written[step], readAt);
        }
        return report(figures, readerWait);
    }

    /** Seconds from {@code written} to the first read at or after it that returned {@code value} or more. */
    private static double firstReadShowing(double value, Instant written, Instant[] readAt, double[] valueAtRead) {
        for (int read = 0; read < readAt.length; read++) {
            if (!readAt[read].isBefore(written) && valueAtRead[read] >= value) {
                return Duration.between(written, readAt[read]).toMillis() / 1000.0;
            }
        }
        return Double.NaN;
    }

    private static double firstReadAfter(Instant written, Instant[] readAt) {
        for (Instant read : readAt) {
            if (!read.isBefore(written)) {
                return Duration.between(written, read).toMillis() / 1000.0;
            }
        }
        return Double.NaN;
    }

    private static String describe(List<Design> designs, double[][] values, double[][] ages, int read) {
        List<String> parts = new ArrayList<>();
        for (int d = 0; d < designs.size(); d++) {
            parts.add(String.format(Locale.ROOT, "%s: value %.0f, age %.2f s", designs.get(d).name(), values[d][read], ages[d][read]));
        }
        return String.join("; ", parts);
    }

    private static String report(List<Figures> figures, double[] readerWait) {
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "%d samples at random moments, one HPA-like read every %d s at a steady phase; the reader's own wait "
                        + "(sample -> its next read): %s%n", STEPS, READ_PERIOD.toSeconds(), percentiles(readerWait)));
        for (Figures design : figures) {
            report.append(String.format(Locale.ROOT,
                    "%-22s sample -> read returning it: %s | value age at reads: %s | searches/min for the namespace: "
                            + "%.1f, Elasticsearch requests/min: %.1f%n",
                    design.name(), percentiles(design.stepToRead()), percentiles(design.ageAtRead()),
                    design.searchesPerMinute(), design.requestsPerMinute()));
        }
        return report.toString();
    }

    private static String percentiles(double[] seconds) {
        double[] sorted = Arrays.stream(seconds).filter(Double::isFinite).sorted().toArray();
        long missing = seconds.length - sorted.length;
        return String.format(Locale.ROOT, "p50 %.1f s, p99 %.1f s, max %.1f s%s", sorted[(int) (sorted.length * 0.5)],
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)], sorted[sorted.length - 1],
                missing == 0 ? "" : " (" + missing + " never seen)");
    }

    private static JsonNode get(HttpClient http, AdapterProcess adapter, String extraQuery) throws Exception {
        URI uri = URI.create(adapter.url("/apis/external.metrics.k8s.io/v1beta1/namespaces/" + NAMESPACE
                + "/queue_length?labelSelector=service%3D" + SERVICE + extraQuery));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static void sleepUntil(Instant at) throws InterruptedException {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}

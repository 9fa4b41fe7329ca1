package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How long one refresh search takes as the indices grow: the latency of uncached requests (one search each)
 * for every series of {@code request_rate} and {@code queue_length}, with events spread over the last day.
 */
final class RefreshLatency {

    private static final Duration LOAD_BUDGET = Duration.ofMinutes(Long.getLong("benchmark.load-minutes", 10));
    private static final int SAMPLES = 30;

    private RefreshLatency() {
    }

    static List<String> run(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy, List<Long> counts) throws Exception {
        List<String> results = new ArrayList<>();
        BulkLoader loader = new BulkLoader(elasticsearch);
        long deadline = System.nanoTime() + LOAD_BUDGET.toNanos();
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), List.of("-Dadapter.cache.enabled=false"))) {
            for (long count : counts) {
                long loaded = loader.loadUpTo(count, deadline);
                String result = String.format(Locale.ROOT, "%,d events: request_rate %s, queue_length %s", loaded,
                        median(adapter, "request_rate"), median(adapter, "queue_length"));
                if (loaded < count) {
                    result += " (stopped loading at the " + LOAD_BUDGET.toMinutes() + " min budget, "
                            + loader.rate() + ")";
                }
                System.out.println(result);
                results.add(result);
                if (loaded < count) {
                    break;
                }
            }
        }
        results.add("bulk load " + loader.rate());
        return results;
    }

    private static String median(AdapterProcess adapter, String metric) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(adapter.url(Benchmark.metricPath(metric, "")))).build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
        double[] millis = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            millis[i] = (System.nanoTime() - start) / 1e6;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(metric + " answered " + response.statusCode() + ": " + response.body());
            }
        }
        Arrays.sort(millis);
        return String.format(Locale.ROOT, "p50 %.1f ms / p90 %.1f ms", millis[SAMPLES / 2], millis[SAMPLES * 9 / 10]);
    }
}

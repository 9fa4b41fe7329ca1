package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * HPAs polling {@value Benchmark#SELECTORS} different selectors of one metric, each once per sync period, and
 * the Elasticsearch requests it costs (counted at a proxy). Time is compressed 15×: the sync period and the
 * refresh interval are 1 s instead of 15 s, so 1000 polls take 10 s instead of 150 s.
 */
record HpaPolls(long cachedFirstRound, long cachedLaterRounds, long laterSearches, long uncached) {

    static HpaPolls run(ElasticsearchProxy proxy, int polls) throws Exception {
        int rounds = polls / Benchmark.SELECTORS;
        long first;
        long all;
        long searchesAfterFirstRound;
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(),
                List.of("-Dadapter.cache.refresh-interval=1s", "-Dadapter.cache.min-query-interval=500ms"))) {
            long before = proxy.searchesMentioning(Benchmark.NAMESPACE);
            long searchesBefore = -1;
            first = -1;
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                poll(adapter);
                if (round == 0) {
                    first = proxy.searchesMentioning(Benchmark.NAMESPACE) - before;
                    searchesBefore = proxy.searchBodiesMentioning(Benchmark.NAMESPACE);
                }
                long rest = 1_000_000_000L - (System.nanoTime() - start);
                if (rest > 0) {
                    Thread.sleep(rest / 1_000_000); // the HPA's sync period, compressed
                }
            }
            all = proxy.searchesMentioning(Benchmark.NAMESPACE) - before;
            searchesAfterFirstRound = proxy.searchBodiesMentioning(Benchmark.NAMESPACE) - searchesBefore;
        }
        long uncached;
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), List.of("-Dadapter.cache.enabled=false"))) {
            long before = proxy.searchesMentioning(Benchmark.NAMESPACE);
            for (int round = 0; round < rounds; round++) {
                poll(adapter);
            }
            uncached = proxy.searchesMentioning(Benchmark.NAMESPACE) - before;
        }
        HpaPolls result = new HpaPolls(first, all - first, searchesAfterFirstRound, uncached);
        System.out.println(result);
        return result;
    }

    private static void poll(AdapterProcess adapter) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < Benchmark.SELECTORS; i++) {
            String url = adapter.url(Benchmark.metricPath("queue_length", "service%3D" + Benchmark.service(i)));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
            }
        }
    }

    @Override
    public String toString() {
        return "cached " + (cachedFirstRound + cachedLaterRounds) + " (" + cachedFirstRound + " during the first round of "
                + Benchmark.SELECTORS + " selectors never asked before, refreshes that ran meanwhile included; then " + cachedLaterRounds
                + " for the other 900 polls, running " + laterSearches + " searches in all); uncached " + uncached;
    }
}

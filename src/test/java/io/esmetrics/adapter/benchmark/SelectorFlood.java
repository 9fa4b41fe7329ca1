package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One tenant floods the adapter with distinct valid selectors ({@code service=probe-1}, {@code service=probe-2}, …)
 * for {@code request_rate} in its own namespace over 16 connections, while a well-behaved HPA-style poller reads
 * another namespace. The adapter runs with the heap the Deployment gives it; RSS is measured after both namespaces'
 * HPAs have polled for a while, then after the flood.
 */
record SelectorFlood(int selectors, double seconds, long searches, long shardQueries, Map<Integer, Long> codes,
        long rssBeforeMib, long rssAfterMib, Latencies otherNamespaceAlone, Latencies otherNamespace) {

    private static final String FLOODING = "flooding";
    private static final String CALM = "calm";
    private static final int CONNECTIONS = 16;

    static SelectorFlood run(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy, int selectors) throws Exception {
        Instant now = Instant.now();
        Events.create().requests(30, now.minusSeconds(5), FLOODING, "chat", 200).requests(30, now.minusSeconds(5), CALM, "chat", 200)
                .indexInto(elasticsearch);
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), TenantScale.DEPLOYMENT_JVM)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // Warm: both namespaces' HPAs have polled for a while (the JIT and the heap settle on the same selector),
            // so what grows afterwards is what the distinct selectors cost.
            for (int i = 0; i < 2_000; i++) {
                for (String namespace : List.of(FLOODING, CALM)) {
                    http.send(request(adapter, namespace, "chat"), HttpResponse.BodyHandlers.discarding());
                }
            }
            // The other namespace's poll without the flood, by the same driver on the same cores: the baseline.
            Latencies alone = new Latencies();
            for (int i = 0; i < 400; i++) {
                long sent = System.nanoTime();
                http.send(request(adapter, CALM, "chat"), HttpResponse.BodyHandlers.discarding());
                alone.record(System.nanoTime() - sent);
                Thread.sleep(10);
            }
            long rssBefore = adapter.residentSetKib() / 1024;
            long searchesBefore = proxy.searchBodiesMentioning(FLOODING);
            SearchStats statsBefore = SearchStats.of(elasticsearch);
            AtomicBoolean flooding = new AtomicBoolean(true);
            Latencies calm = new Latencies();
            ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS + 1);
            Map<Integer, LongAdder> codes = new ConcurrentHashMap<>();
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            try {
                Future<?> poller = threads.submit(() -> {
                    HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    while (flooding.get()) {
                        long sent = System.nanoTime();
                        HttpResponse<Void> response = own.send(request(adapter, CALM, "chat"), HttpResponse.BodyHandlers.discarding());
                        calm.record(System.nanoTime() - sent);
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("the calm namespace got " + response.statusCode());
                        }
                        Thread.sleep(10);
                    }
                    return null;
                });
                List<Future<?>> tenants = new ArrayList<>();
                for (int connection = 0; connection < CONNECTIONS; connection++) {
                    tenants.add(threads.submit(() -> {
                        HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                        for (int i = next.getAndIncrement(); i < selectors; i = next.getAndIncrement()) {
                            HttpResponse<Void> response = own.send(request(adapter, FLOODING, "probe-" + i),
                                    HttpResponse.BodyHandlers.discarding());
                            codes.computeIfAbsent(response.statusCode(), code -> new LongAdder()).increment();
                        }
                        return null;
                    }));
                }
                for (Future<?> tenant : tenants) {
                    tenant.get();
                }
                flooding.set(false);
                poller.get();
            } finally {
                flooding.set(false);
                threads.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<Integer, Long> counted = new TreeMap<>();
            codes.forEach((code, count) -> counted.put(code, count.sum()));
            return new SelectorFlood(selectors, seconds, proxy.searchBodiesMentioning(FLOODING) - searchesBefore,
                    SearchStats.of(elasticsearch).minus(statsBefore).queries(), counted, rssBefore,
                    adapter.residentSetKib() / 1024, alone, calm);
        }
    }

    private static HttpRequest request(AdapterProcess adapter, String namespace, String service) {
        return HttpRequest.newBuilder(URI.create(adapter.url("/apis/external.metrics.k8s.io/v1beta1/namespaces/" + namespace
                + "/request_rate?labelSelector=service%3D" + service))).build();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%,d distinct selectors in %.1f s (%.0f req/s, codes %s): %d searches caused "
                        + "(%d shard queries by Elasticsearch's own count, background refreshes included); adapter RSS %d → %d MiB "
                        + "(+%d); the other namespace's poll meanwhile: %s (without the flood: %s)",
                selectors, seconds, selectors / seconds, codes, searches, shardQueries, rssBeforeMib, rssAfterMib,
                rssAfterMib - rssBeforeMib, otherNamespace, otherNamespaceAlone);
    }
}

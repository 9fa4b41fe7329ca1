package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/** Tiny contract events spread over the last 24 hours, in large {@code _bulk} requests, refresh off meanwhile. */
final class BulkLoader {

    private static final int BATCH = 20_000;
    private static final DateTimeFormatter DAILY_INDEX =
            DateTimeFormatter.ofPattern("'ai-events-'yyyy.MM.dd").withZone(ZoneOffset.UTC);

    private final ElasticsearchProcess elasticsearch;
    /** Daemon threads: the benchmark's JVM is Maven's, which waits for every other thread to end. */
    private final ExecutorService senders = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "bulk-loader");
        thread.setDaemon(true);
        return thread;
    });
    private long loaded;
    private long loadingNanos;

    BulkLoader(ElasticsearchProcess elasticsearch) {
        this.elasticsearch = elasticsearch;
    }

    /** Loads until {@code target} events exist or the deadline passes; returns how many exist. */
    long loadUpTo(long target, long deadlineNanos) throws Exception {
        long start = System.nanoTime();
        Instant now = Instant.now();
        for (Instant day : List.of(now.minus(Duration.ofDays(1)), now)) {
            String index = DAILY_INDEX.format(day);
            try {
                elasticsearch.request("PUT", "/" + index, "{}");
            } catch (IllegalStateException alreadyExists) {
                // created by the samples or an earlier call
            }
        }
        elasticsearch.request("PUT", "/ai-events-*/_settings",
                "{\"index\":{\"refresh_interval\":\"-1\",\"number_of_replicas\":0}}");
        while (loaded < target && System.nanoTime() < deadlineNanos) {
            List<Future<?>> batches = new ArrayList<>();
            for (int i = 0; i < 4 && loaded < target; i++) {
                int size = (int) Math.min(BATCH, target - loaded);
                batches.add(senders.submit(() -> send(size, now)));
                loaded += size;
            }
            for (Future<?> batch : batches) {
                batch.get();
            }
        }
        elasticsearch.request("PUT", "/ai-events-*/_settings", "{\"index\":{\"refresh_interval\":\"1s\"}}");
        elasticsearch.request("POST", "/ai-events-*/_refresh", null);
        loadingNanos += System.nanoTime() - start;
        return loaded;
    }

    String rate() {
        return String.format(Locale.ROOT, "%,d events in %.0f s = %,.0f events/s", loaded, loadingNanos / 1e9,
                loaded / (loadingNanos / 1e9));
    }

    private void send(int size, Instant now) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder bulk = new StringBuilder(size * 190);
        for (int i = 0; i < size; i++) {
            Instant at = now.minusMillis(random.nextLong(Duration.ofDays(1).toMillis()));
            String service = Benchmark.service(random.nextInt(Benchmark.SELECTORS));
            bulk.append("{\"create\":{\"_index\":\"").append(DAILY_INDEX.format(at)).append("\"}}\n");
            bulk.append("{\"@timestamp\":").append(at.toEpochMilli())
                    .append(",\"kubernetes\":{\"namespace\":\"").append(Benchmark.NAMESPACE)
                    .append("\"},\"service\":{\"name\":\"").append(service).append("\"},");
            if (random.nextInt(10) == 0) {
                bulk.append("\"event\":{\"dataset\":\"ai.queue\"},\"queue\":{\"name\":\"q1\",\"length\":")
                        .append(random.nextInt(100)).append("}}\n");
            } else {
                bulk.append("\"event\":{\"dataset\":\"ai.request\"},\"http\":{\"response\":{\"status_code\":200}}}\n");
            }
        }
        var answer = elasticsearch.request("POST", "/_bulk?filter_path=errors", bulk.toString());
        if (answer.path("errors").asBoolean()) {
            throw new IllegalStateException("bulk indexing failed");
        }
    }
}

package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.provider.Backend;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.time.BackgroundThreads;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every refresh interval, recomputes every series asked for recently, in batches (one {@code _msearch} each
 * for Elasticsearch) with bounded concurrency, so the number of searches follows what is asked for (distinct
 * series; for metrics that split into series, distinct metrics per namespace), not the number of HPAs polling.
 */
@Startup
@ApplicationScoped
class SeriesRefresher {

    private record Refresh(CachedSeries series, CompletableFuture<MetricAnswer> claim) {
    }

    private final SeriesCache cache;
    private final ExternalMetricsProvider backend;
    private final CacheConfig config;
    private final Clock clock;
    private ScheduledExecutorService ticker;
    private ExecutorService batches;

    SeriesRefresher(SeriesCache cache, @Backend ExternalMetricsProvider backend, CacheConfig config, Clock clock) {
        this.cache = cache;
        this.backend = backend;
        this.config = config;
        this.clock = clock;
    }

    @PostConstruct
    void start() {
        if (!config.enabled()) {
            return;
        }
        ticker = BackgroundThreads.scheduler("series-refresher");
        batches = Executors.newFixedThreadPool(Math.max(1, config.refreshConcurrency()),
                BackgroundThreads.named("series-refresh-batch"));
        long interval = config.refreshInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::refreshSafely, interval, interval, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
            batches.shutdownNow();
        }
    }

    private void refreshSafely() {
        try {
            refresh();
        } catch (RuntimeException e) {
            Log.error("Refreshing cached metric values failed", e);
        }
    }

    /** Refreshes every live series not searched for during its metric's minimum query interval. */
    void refresh() {
        Instant now = clock.instant();
        List<Refresh> due = new ArrayList<>();
        for (CachedSeries series : cache.expireIdle(now.minus(config.idleTimeout()))) {
            Instant earliest = series.lastQueried().plus(config.minQueryInterval(series.query().metricName()));
            if (!earliest.isAfter(now)) {
                series.claim(now).ifPresent(claim -> due.add(new Refresh(series, claim)));
            }
        }
        // Side by side, the series of one metric in one namespace land in the same batch, where the backend
        // answers them with one search (see ElasticsearchMetricsProvider); scattered, each batch would search again.
        due.sort(Comparator.comparing((Refresh refresh) -> refresh.series().query().namespace())
                .thenComparing(refresh -> refresh.series().query().metricName()));
        int size = Math.max(1, config.refreshBatchSize());
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int from = 0; from < due.size(); from += size) {
            List<Refresh> batch = due.subList(from, Math.min(due.size(), from + size));
            running.add(CompletableFuture.runAsync(() -> refresh(batch), batches));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
    }

    private void refresh(List<Refresh> batch) {
        List<MetricQuery> queries = batch.stream().map(refresh -> refresh.series().query()).toList();
        List<MetricAnswer> answers;
        try {
            answers = backend.values(queries);
        } catch (RuntimeException e) {
            answers = queries.stream().map(query -> MetricAnswer.failed(e)).toList();
        }
        Instant now = clock.instant();
        for (int i = 0; i < batch.size(); i++) {
            Refresh refresh = batch.get(i);
            MetricAnswer answer = answers.get(i);
            RuntimeException failure = answer.failure().orElse(null);
            if (failure instanceof MetricNotFoundException || failure instanceof LabelNotAllowedException) {
                // The definitions changed under a cached series: it is not a value to keep serving.
                cache.forget(refresh.series());
            }
            refresh.series().complete(refresh.claim(), answer, now);
        }
    }
}

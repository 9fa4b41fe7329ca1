package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.DeclaredMetrics;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricsBackend;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.time.BackgroundThreads;
import io.esmetrics.adapter.time.PeriodicWork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Every refresh interval, recomputes every answer asked for recently, in batches (one {@code _msearch} each
 * for Elasticsearch) with bounded concurrency, so the number of searches follows what is asked for, not the number
 * of HPAs polling: for a configured metric that splits into series, one search for all namespaces; for an
 * ElasticsearchMetric, one per namespace; for a metric that does not split (an average), one per selector.
 */
@Startup
@ApplicationScoped
class SeriesRefresher {

    private static final RepeatedWarnings OVERRUNS = new RepeatedWarnings(SeriesRefresher.class);

    private record Refresh(CachedSeries series, CompletableFuture<MetricAnswer> claim) {
    }

    private final SeriesCache cache;
    private final DeclaredMetrics declared;
    private final MetricsBackend backend;
    private final CacheConfig config;
    private final Clock clock;
    private final Timer duration;
    private final Counter overruns;
    private PeriodicWork ticker;
    private ExecutorService batches;

    SeriesRefresher(SeriesCache cache, DeclaredMetrics declared, MetricsBackend backend, CacheConfig config, Clock clock,
            MeterRegistry registry) {
        this.cache = cache;
        this.declared = declared;
        this.backend = backend;
        this.config = config;
        this.clock = clock;
        this.duration = Timer.builder("esmetrics.cache.refresh").description("How long one refresh of every cached answer takes")
                .register(registry);
        this.overruns = Counter.builder("esmetrics.cache.refresh.overruns")
                .description("Refreshes that took longer than the refresh interval").register(registry);
    }

    @PostConstruct
    void start() {
        if (!config.enabled()) {
            return;
        }
        batches = Executors.newFixedThreadPool(Math.max(1, config.refreshConcurrency()),
                BackgroundThreads.named("series-refresh-batch"));
        ticker = PeriodicWork.start("series-refresher", "refreshing cached metric values", config.refreshInterval(),
                config.refreshInterval(), this::refresh);
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.close();
            batches.shutdownNow();
        }
    }

    /** Refreshes every live series not searched for during its metric's minimum query interval. */
    void refresh() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        List<Refresh> due = new ArrayList<>();
        for (CachedSeries series : cache.expireIdle(now.minus(config.idleTimeout()))) {
            Instant earliest = series.lastQueried().plus(config.minQueryInterval(series.query().metricName()));
            if (!earliest.isAfter(now)) {
                series.claim(now).ifPresent(claim -> due.add(new Refresh(series, claim)));
            }
        }
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (List<Refresh> batch : batches(due)) {
            running.add(CompletableFuture.runAsync(() -> refresh(batch), batches));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        duration.record(took);
        if (took.compareTo(config.refreshInterval()) > 0) {
            overruns.increment();
            OVERRUNS.warn("Refreshing " + due.size() + " cached answers took " + took.toMillis() + " ms, longer than the "
                    + "refresh interval (adapter.cache.refresh-interval=" + config.refreshInterval().toSeconds() + "s): "
                    + "values get older than the interval promises. Elasticsearch is slow or overloaded, or the cache "
                    + "holds more than it can refresh; see esmetrics_cache_refresh_seconds");
        }
    }

    /**
     * The answers for the empty selector of a metric refreshed across namespaces go in one batch, however many: the
     * backend computes them with one search. The others go side by side (the queries of one metric in one namespace
     * in the same batch, where the backend answers them with one search) in batches of {@code refresh-batch-size}.
     */
    private List<List<Refresh>> batches(List<Refresh> due) {
        Map<String, List<Refresh>> acrossNamespaces = new LinkedHashMap<>();
        List<Refresh> others = new ArrayList<>();
        for (Refresh refresh : due) {
            MetricQuery query = refresh.series().query();
            if (query.selector().isEmpty() && acrossNamespaces(query)) {
                acrossNamespaces.computeIfAbsent(query.metricName(), name -> new ArrayList<>()).add(refresh);
            } else {
                others.add(refresh);
            }
        }
        others.sort(Comparator.comparing((Refresh refresh) -> refresh.series().query().namespace())
                .thenComparing(refresh -> refresh.series().query().metricName()));
        List<List<Refresh>> batches = new ArrayList<>(acrossNamespaces.values());
        int size = Math.max(1, config.refreshBatchSize());
        for (int from = 0; from < others.size(); from += size) {
            batches.add(others.subList(from, Math.min(others.size(), from + size)));
        }
        return batches;
    }

    /** Whether the answers of this rule for many namespaces are refreshed in one batch: shared by all, if the backend can. */
    static boolean acrossNamespaces(DeclaredMetrics declared, MetricsBackend backend, MetricRule rule) {
        return declared.servesEveryNamespace(rule) && backend.answersAcrossNamespaces(rule);
    }

    private boolean acrossNamespaces(MetricQuery query) {
        try {
            return acrossNamespaces(declared, backend, declared.resolve(query).rule());
        } catch (MetricNotFoundException | LabelNotAllowedException e) {
            return false;
        }
    }

    private void refresh(List<Refresh> batch) {
        List<MetricQuery> queries = batch.stream().map(refresh -> refresh.series().query()).toList();
        List<MetricAnswer> answers;
        try {
            answers = declared.answer(queries, backend);
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
            cache.weigh(refresh.series());
        }
    }
}

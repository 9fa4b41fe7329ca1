package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.BackendUnavailableException;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every refresh interval, recomputes every answer asked for recently, in batches (one {@code _msearch} each
 * for Elasticsearch) with bounded concurrency, so the number of searches follows what is asked for, not the number
 * of HPAs polling: for a configured metric that splits into series, one search for all namespaces; for an
 * ElasticsearchMetric, one per namespace; for a metric that does not split (an average), one per selector.
 * <p>
 * Namespaces are refreshed fairly (docs/design.md, "Fair refresh between namespaces"): a batch holds one namespace's
 * answers only, or the answers of one metric shared by every namespace; a namespace has one batch on the threads at a
 * time ({@link FairRefreshSchedule}); and a refresh waits for its batches at most one refresh interval. A batch still
 * running then keeps its answers claimed, so the next refreshes leave them alone and refresh everyone else on time.
 */
@Startup
@ApplicationScoped
class SeriesRefresher {

    private static final RepeatedWarnings OVERRUNS = new RepeatedWarnings(SeriesRefresher.class);
    /** How many of the slowest namespaces an overrun's warning names: enough to act on, never every tenant. */
    private static final int SLOWEST_NAMED = 3;
    /** Namespace names are DNS labels, without spaces: this lane cannot be taken for a namespace. */
    private static final String ACROSS_NAMESPACES = "every namespace, metric ";

    private record Refresh(CachedSeries series, CompletableFuture<MetricAnswer> claim) {
    }

    private final SeriesCache cache;
    private final DeclaredMetrics declared;
    private final MetricsBackend backend;
    private final CacheConfig config;
    private final Clock clock;
    private final Timer duration;
    private final Counter overruns;
    private final RefreshPhase phase;
    /** How long refreshes take lately: the longest, halved at each shorter one (the refresher's thread only). */
    private Duration recentDuration = Duration.ZERO;
    private PeriodicWork ticker;
    private FairRefreshSchedule schedule;

    SeriesRefresher(SeriesCache cache, DeclaredMetrics declared, MetricsBackend backend, CacheConfig config, Clock clock,
            MeterRegistry registry) {
        this.cache = cache;
        this.declared = declared;
        this.backend = backend;
        this.config = config;
        this.clock = clock;
        this.duration = Timer.builder("esmetrics.cache.refresh")
                .description("How long one refresh takes, from its start until its last batch is done")
                .register(registry);
        this.overruns = Counter.builder("esmetrics.cache.refresh.overruns")
                .description("Refreshes whose batches were not all done within the refresh interval").register(registry);
        this.phase = new RefreshPhase(config.refreshInterval());
    }

    @PostConstruct
    void start() {
        if (!config.enabled()) {
            return;
        }
        schedule = new FairRefreshSchedule(config.refreshConcurrency(), BackgroundThreads.named("series-refresh-batch"));
        // A refresh waits for its batches at most one interval, so a slow namespace's batch cannot push the others'
        // next refresh later than one interval after their last. At a fixed rate, or at the phase the reads ask for.
        if (config.alignToReads()) {
            ticker = PeriodicWork.startRescheduling("series-refresher", "refreshing cached metric values",
                    config.refreshInterval(), config.refreshInterval(), this::refreshBeforeReads);
        } else {
            ticker = PeriodicWork.startAtFixedRate("series-refresher", "refreshing cached metric values",
                    config.refreshInterval(), config.refreshInterval(), this::refresh);
        }
    }

    /** Counts a read of a cached value, for the phase of the next refreshes. */
    void read(Instant at) {
        phase.read(at);
    }

    /** Refreshes, then answers how long until the next refresh, which ends just before the reads. */
    private Duration refreshBeforeReads() {
        Instant started = clock.instant();
        long startedNanos = System.nanoTime();
        try {
            refresh();
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
            Duration halved = recentDuration.dividedBy(2);
            recentDuration = took.compareTo(halved) > 0 ? took : halved;
        }
        Duration wait = Duration.between(clock.instant(), phase.next(started, recentDuration));
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    /** Stops the ticks, then the batches: every claim still held is completed with a failure, none is left waiting. */
    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.close();
            schedule.close();
        }
    }

    /**
     * Refreshes every live series not searched for during its metric's minimum query interval and not still being
     * searched for, waiting for the batches at most one refresh interval.
     */
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
        Map<String, List<List<Refresh>>> lanes;
        try {
            lanes = lanes(due, refresh -> refresh.series().query(), this::acrossNamespaces, config.refreshBatchSize());
        } catch (RuntimeException e) {
            new RefreshBatch(due).fail(e);
            throw e;
        }
        Map<String, List<FairRefreshSchedule.Batch>> batches = new LinkedHashMap<>();
        lanes.forEach((lane, cut) -> batches.put(lane, cut.stream().<FairRefreshSchedule.Batch>map(RefreshBatch::new).toList()));
        CompletableFuture<Void> done = CompletableFuture.allOf(
                schedule.submitRoundRobin(batches).toArray(CompletableFuture[]::new));
        done.whenComplete((ignored, failure) -> duration.record(Duration.ofNanos(System.nanoTime() - started)));
        try {
            done.get(Math.max(0, config.refreshInterval().toNanos() - (System.nanoTime() - started)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            overrun();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: stop() abandons what is left
        } catch (ExecutionException e) {
            throw new IllegalStateException("a refresh batch ended unlike any batch ends", e.getCause());
        }
    }

    /**
     * Counted and logged; the batches not done go on, their answers claimed. The warning names the slowest lanes by
     * name only (no duration, no count), so that a lasting overrun of the same namespaces is logged once per period.
     */
    private void overrun() {
        overruns.increment();
        List<String> slowest = schedule.slowest(SLOWEST_NAMED);
        OVERRUNS.warn("Refreshing cached answers took longer than the refresh interval (adapter.cache.refresh-interval="
                + config.refreshInterval().toMillis() + "ms)"
                + (slowest.isEmpty() ? "" : "; still searching, slowest first (at most " + SLOWEST_NAMED + "): "
                        + String.join("; ", slowest))
                + ". Their values get older than the interval promises; the other namespaces are refreshed on time. "
                + "Elasticsearch is slow for them (a heavy ElasticsearchMetric) or overloaded, or the cache holds more "
                + "than it can refresh; see esmetrics_cache_refresh_seconds");
    }

    /**
     * The batches of one refresh, by lane, in the order they are scheduled. First a lane per metric refreshed across
     * namespaces, with one batch of all its answers for the empty selector: the backend computes them with one
     * search, which serves every namespace. Then a lane per namespace, by name, with only that namespace's answers,
     * those of one metric side by side (where the backend answers them with one search), cut into batches of at most
     * {@code batchSize}: a namespace's slow searches are never in another namespace's {@code _msearch}.
     */
    static <T> Map<String, List<List<T>>> lanes(List<T> due, Function<T, MetricQuery> queryOf,
            Predicate<MetricQuery> acrossNamespaces, int batchSize) {
        Map<String, List<T>> shared = new LinkedHashMap<>();
        Map<String, List<T>> byNamespace = new TreeMap<>();
        for (T refresh : due) {
            MetricQuery query = queryOf.apply(refresh);
            if (query.selector().isEmpty() && acrossNamespaces.test(query)) {
                shared.computeIfAbsent(ACROSS_NAMESPACES + query.metricName(), lane -> new ArrayList<>()).add(refresh);
            } else {
                byNamespace.computeIfAbsent(query.namespace(), namespace -> new ArrayList<>()).add(refresh);
            }
        }
        Map<String, List<List<T>>> lanes = new LinkedHashMap<>();
        shared.forEach((lane, refreshes) -> lanes.put(lane, List.of(refreshes)));
        int size = Math.max(1, batchSize);
        byNamespace.forEach((namespace, refreshes) -> {
            refreshes.sort(Comparator.comparing(refresh -> queryOf.apply(refresh).metricName()));
            List<List<T>> cut = new ArrayList<>();
            for (int from = 0; from < refreshes.size(); from += size) {
                cut.add(refreshes.subList(from, Math.min(refreshes.size(), from + size)));
            }
            lanes.put(namespace, cut);
        });
        return lanes;
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

    /** One {@code _msearch}; its claims are completed whatever happens, with a failure if it never ran. */
    private final class RefreshBatch implements FairRefreshSchedule.Batch {

        private final List<Refresh> batch;

        RefreshBatch(List<Refresh> batch) {
            this.batch = batch;
        }

        @Override
        public void run() {
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

        @Override
        public void abandon(String why) {
            fail(new BackendUnavailableException("The background refresh " + why));
        }

        void fail(RuntimeException failure) {
            Instant now = clock.instant();
            for (Refresh refresh : batch) {
                if (!refresh.claim().isDone()) {
                    refresh.series().complete(refresh.claim(), MetricAnswer.failed(failure), now);
                }
            }
        }
    }
}

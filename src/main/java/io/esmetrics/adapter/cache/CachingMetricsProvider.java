package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.DeclaredMetrics;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.HeldAnswer;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricComputation;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.MetricsBackend;
import io.esmetrics.adapter.provider.SeriesQuery;
import io.esmetrics.adapter.provider.SeriesSelection;
import io.esmetrics.adapter.provider.TooManySearchesException;
import io.esmetrics.adapter.provider.TooManySeriesException;
import io.esmetrics.adapter.selector.LabelSelector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The provider the HTTP layer talks to: answers from memory what {@link SeriesRefresher} keeps fresh, and
 * asks the backend only for an answer it has no usable value of, once however many HPAs ask at the same time.
 * For a metric whose series add up, every selector is picked from one answer per namespace, so a selector
 * nobody asked before costs no search; the searches misses cause are rate-limited per namespace
 * ({@link MissSearchLimiter}, by what they cost: one search per thousand series) and what is held is bounded
 * ({@link SeriesCache}).
 * A failing backend is answered with the last good value while it is within the staleness budget, then
 * with 503 and the reason: never with a number the backend did not give.
 * <p>
 * Typed as itself only: the HTTP layer's {@link ExternalMetricsProvider} is activation.ActivatingMetricsProvider, which
 * serves this provider's answers with each metric's activation applied.
 */
@ApplicationScoped
@Typed(CachingMetricsProvider.class)
public class CachingMetricsProvider implements ExternalMetricsProvider {

    private final DeclaredMetrics declared;
    private final MetricsBackend backend;
    private final SeriesCache cache;
    private final CacheConfig config;
    private final CacheMeters meters;
    private final MissSearchLimiter limiter;
    private final SeriesRefresher refresher;
    private final Clock clock;

    CachingMetricsProvider(DeclaredMetrics declared, MetricsBackend backend, SeriesCache cache, CacheConfig config,
            CacheMeters meters, MissSearchLimiter limiter, SeriesRefresher refresher, Clock clock) {
        this.declared = declared;
        this.backend = backend;
        this.cache = cache;
        this.config = config;
        this.meters = meters;
        this.limiter = limiter;
        this.refresher = refresher;
        this.clock = clock;
    }

    /** An unknown metric or an undeclared label fails here, before anything is kept or searched. */
    @Override
    public List<MetricValue> values(String namespace, String metricName, LabelSelector selector) {
        SeriesQuery resolved = declared.resolve(namespace, metricName, selector);
        if (!config.enabled()) {
            return backend.answer(resolved);
        }
        Instant now = clock.instant();
        refresher.read(now);
        if (resolved.rule().splitsIntoSeries()) {
            try {
                return SeriesSelection.select(answer(everySeries(namespace, metricName), now), selector);
            } catch (TooManySeriesException e) {
                // Too many series in the namespace to hold them all: the selector's own search may pick few enough.
            }
        }
        return answer(new MetricQuery(namespace, metricName, selector), now);
    }

    /** The cached answer of {@code query}, searched for when it has none within the staleness budget. */
    private List<MetricValue> answer(MetricQuery query, Instant now) {
        Optional<CachedSeries> entry = cache.series(query, now);
        if (entry.isEmpty()) {
            return uncached(query);
        }
        CachedSeries series = entry.get();
        Optional<List<MetricValue>> good = usable(series, now);
        if (good.isPresent()) {
            return good.get();
        }
        String metricName = query.metricName();
        MetricAnswer answer;
        try {
            answer = search(series, now);
        } catch (TooManySearchesException e) {
            // Refused before its first search: not kept, or the background refresh, which the miss limit does not
            // bound, would search it for free (and a wide answer the namespace cannot afford with it).
            if (series.lastGood().isEmpty() && series.lastFailure().isEmpty() && series.running().isEmpty()) {
                cache.forget(series);
            }
            throw e;
        }
        if (answer.succeeded()) {
            meters.served(metricName, CacheMeters.Result.MISS);
            return answer.values();
        }
        RuntimeException failure = answer.failure().orElseThrow();
        if (failure instanceof MetricNotFoundException || failure instanceof LabelNotAllowedException) {
            cache.forget(series);
            throw failure;
        }
        if (failure instanceof TooManySeriesException) {
            throw failure;
        }
        meters.served(metricName, CacheMeters.Result.UNAVAILABLE);
        BackendUnavailableException unavailable = failure instanceof BackendUnavailableException known
                ? known : new BackendUnavailableException(String.valueOf(failure.getMessage()), failure);
        throw series.lastGood().isPresent()
                ? unavailable.withDetail(" (the last good value is older than the "
                        + config.maxValueAge(metricName).toSeconds() + "s staleness budget of metric " + metricName + ")")
                : unavailable;
    }

    /** An answer the cache's bounds leave no room for: searched for each time, within the namespace's miss limit. */
    private List<MetricValue> uncached(MetricQuery query) {
        limiter.acquire(query.namespace(), query.metricName());
        meters.served(query.metricName(), CacheMeters.Result.MISS);
        List<MetricValue> values = backend.answer(declared.resolve(query));
        limiter.charge(query.namespace(), values.size());
        return values;
    }

    private static MetricQuery everySeries(String namespace, String metricName) {
        return new MetricQuery(namespace, metricName, LabelSelector.everything());
    }

    @Override
    public Optional<List<MetricValue>> valuesInMemory(String namespace, String metricName, LabelSelector selector) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<List<MetricValue>> inMemory = inMemory(namespace, metricName, selector, now);
        // A read answered here never reaches values(): counted for the refresh's phase here, and there otherwise.
        inMemory.ifPresent(values -> refresher.read(now));
        return inMemory;
    }

    private Optional<List<MetricValue>> inMemory(String namespace, String metricName, LabelSelector selector, Instant now) {
        if (declared.resolve(namespace, metricName, selector).rule().splitsIntoSeries()) {
            Optional<CachedSeries> every = cache.lookup(everySeries(namespace, metricName), now);
            boolean tooMany = every.flatMap(CachedSeries::lastFailure).filter(TooManySeriesException.class::isInstance)
                    .isPresent();
            if (!tooMany) {
                return every.flatMap(series -> usable(series, now)).map(values -> SeriesSelection.select(values, selector));
            }
        }
        return cache.lookup(new MetricQuery(namespace, metricName, selector), now).flatMap(series -> usable(series, now));
    }

    /** The last good value, if it is within the metric's staleness budget (counted as a hit, or a stale one). */
    private Optional<List<MetricValue>> usable(CachedSeries series, Instant now) {
        CacheDecision decision = decide(series, now);
        if (!decision.fromMemory()) {
            return Optional.empty();
        }
        CacheMeters.Result result = decision == CacheDecision.STALE ? CacheMeters.Result.STALE : CacheMeters.Result.HIT;
        meters.served(series.query().metricName(), result);
        return series.lastGood().map(Snapshot::values);
    }

    private CacheDecision decide(CachedSeries series, Instant now) {
        String metricName = series.query().metricName();
        return CacheDecision.at(now, series.lastGood().map(Snapshot::fetchedAt), series.lastFailure().isPresent(),
                series.lastQueried(), config.maxValueAge(metricName), config.minQueryInterval(metricName));
    }

    /** One search for the series, shared with every concurrent asker; refused while the last one failed recently. */
    private MetricAnswer search(CachedSeries series, Instant now) {
        while (true) {
            Optional<CompletableFuture<MetricAnswer>> running = series.running();
            if (running.isPresent()) {
                return running.get().join();
            }
            if (decide(series, now) == CacheDecision.RECENT_FAILURE) {
                return MetricAnswer.failed(series.lastFailure().orElseThrow());
            }
            limiter.acquire(series.query().namespace(), series.query().metricName());
            Optional<CompletableFuture<MetricAnswer>> claim = series.claim(now);
            if (claim.isPresent()) {
                MetricAnswer answer = ask(series.query());
                limiter.charge(series.query().namespace(), answer.values().size());
                series.complete(claim.get(), answer, clock.instant());
                cache.weigh(series);
                return answer;
            }
        }
    }

    /** The rule is looked up again: the definitions may have changed since the entry was made. */
    private MetricAnswer ask(MetricQuery query) {
        try {
            return MetricAnswer.of(backend.answer(declared.resolve(query)));
        } catch (RuntimeException e) {
            return MetricAnswer.failed(e);
        }
    }

    /** Looks without counting as asking ({@link SeriesCache#find}): explaining an answer must not keep it alive. */
    @Override
    public Optional<HeldAnswer> held(String namespace, String metricName, LabelSelector selector) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        if (declared.resolve(namespace, metricName, selector).rule().splitsIntoSeries()) {
            Optional<CachedSeries> every = cache.find(everySeries(namespace, metricName))
                    .filter(series -> series.lastFailure().filter(TooManySeriesException.class::isInstance).isEmpty());
            if (every.isPresent()) {
                return Optional.of(held(every.get(), selector, true));
            }
        }
        return cache.find(new MetricQuery(namespace, metricName, selector)).map(series -> held(series, selector, false));
    }

    private HeldAnswer held(CachedSeries series, LabelSelector selector, boolean fromNamespace) {
        Optional<Snapshot> good = series.lastGood();
        return new HeldAnswer(
                good.map(snapshot -> fromNamespace ? SeriesSelection.select(snapshot.values(), selector) : snapshot.values()),
                good.map(Snapshot::fetchedAt), config.maxValueAge(series.query().metricName()),
                decide(series, clock.instant()).fromMemory(), series.lastFailure(), series.failingSince(),
                series.lastQueried(), fromNamespace);
    }

    /** A search like a miss's, within the namespace's miss limit, whose answer is not kept. */
    @Override
    public List<MetricValue> computeWithoutKeeping(String namespace, String metricName, LabelSelector selector) {
        SeriesQuery resolved = declared.resolve(namespace, metricName, selector);
        limiter.acquire(namespace, metricName);
        List<MetricValue> values = backend.answer(resolved);
        limiter.charge(namespace, values.size());
        return values;
    }

    /**
     * Within the namespace's miss limit, taken before anything else: describing looks up the fields and the newest
     * event in Elasticsearch, and explaining must not be a way around the limit.
     */
    @Override
    public MetricComputation describe(String namespace, String metricName, LabelSelector selector) {
        SeriesQuery query = declared.resolve(namespace, metricName, selector);
        limiter.acquire(namespace, metricName);
        return backend.describe(query).acrossNamespaces(SeriesRefresher.acrossNamespaces(declared, backend, query.rule()));
    }

    @Override
    public Collection<String> metricNames() {
        return declared.names();
    }
}

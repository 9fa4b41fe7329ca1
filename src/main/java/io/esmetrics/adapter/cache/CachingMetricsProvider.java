package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.provider.Backend;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.selector.LabelSelector;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The provider the HTTP layer talks to: answers from memory what {@link SeriesRefresher} keeps fresh, and
 * asks the backend only for a series it has no usable value of, once however many HPAs ask at the same time.
 * A failing backend is answered with the last good value while it is within the staleness budget, then
 * with 503 and the reason: never with a number the backend did not give.
 */
@ApplicationScoped
public class CachingMetricsProvider implements ExternalMetricsProvider {

    private final ExternalMetricsProvider backend;
    private final SeriesCache cache;
    private final CacheConfig config;
    private final CacheMeters meters;
    private final Clock clock;

    CachingMetricsProvider(@Backend ExternalMetricsProvider backend, SeriesCache cache, CacheConfig config,
            CacheMeters meters, Clock clock) {
        this.backend = backend;
        this.cache = cache;
        this.config = config;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public List<MetricValue> values(String namespace, String metricName, LabelSelector selector) {
        if (!config.enabled()) {
            return backend.values(namespace, metricName, selector);
        }
        Instant now = clock.instant();
        CachedSeries series = cache.series(new MetricQuery(namespace, metricName, selector), now);
        Optional<List<MetricValue>> good = usable(series, now);
        if (good.isPresent()) {
            return good.get();
        }
        Duration budget = config.maxValueAge(metricName);
        MetricAnswer answer = search(series, now);
        if (answer.succeeded()) {
            meters.served(metricName, CacheMeters.Result.MISS);
            return answer.values();
        }
        RuntimeException failure = answer.failure().orElseThrow();
        if (failure instanceof MetricNotFoundException || failure instanceof LabelNotAllowedException) {
            cache.forget(series);
            throw failure;
        }
        meters.served(metricName, CacheMeters.Result.UNAVAILABLE);
        BackendUnavailableException unavailable = failure instanceof BackendUnavailableException known
                ? known : new BackendUnavailableException(String.valueOf(failure.getMessage()), failure);
        throw series.lastGood().isPresent()
                ? unavailable.withDetail(" (the last good value is older than the " + budget.toSeconds()
                        + "s staleness budget of metric " + metricName + ")")
                : unavailable;
    }

    @Override
    public Optional<BackendUnavailableException> lastFailure(String namespace, String metricName, LabelSelector selector) {
        return cache.find(new MetricQuery(namespace, metricName, selector)).flatMap(CachedSeries::lastFailure);
    }

    @Override
    public Optional<List<MetricValue>> valuesInMemory(String namespace, String metricName, LabelSelector selector) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return usable(cache.series(new MetricQuery(namespace, metricName, selector), now), now);
    }

    /** The last good value, if it is within the metric's staleness budget (counted as a hit). */
    private Optional<List<MetricValue>> usable(CachedSeries series, Instant now) {
        String metricName = series.query().metricName();
        Duration budget = config.maxValueAge(metricName);
        Optional<Snapshot> good = series.lastGood().filter(snapshot -> snapshot.age(now).compareTo(budget) <= 0);
        good.ifPresent(snapshot -> meters.served(metricName,
                series.lastFailure().isPresent() ? CacheMeters.Result.STALE : CacheMeters.Result.HIT));
        return good.map(Snapshot::values);
    }

    /** One search for the series, shared with every concurrent asker; refused while the last one failed recently. */
    private MetricAnswer search(CachedSeries series, Instant now) {
        while (true) {
            Optional<CompletableFuture<MetricAnswer>> running = series.running();
            if (running.isPresent()) {
                return running.get().join();
            }
            Duration minInterval = config.minQueryInterval(series.query().metricName());
            Optional<BackendUnavailableException> failure = series.lastFailure();
            if (failure.isPresent() && series.lastQueried().plus(minInterval).isAfter(now)) {
                return MetricAnswer.failed(failure.get());
            }
            Optional<CompletableFuture<MetricAnswer>> claim = series.claim(now);
            if (claim.isPresent()) {
                MetricAnswer answer = ask(series.query());
                series.complete(claim.get(), answer, clock.instant());
                return answer;
            }
        }
    }

    private MetricAnswer ask(MetricQuery query) {
        try {
            return MetricAnswer.of(backend.values(query.namespace(), query.metricName(), query.selector()));
        } catch (RuntimeException e) {
            return MetricAnswer.failed(e);
        }
    }

    @Override
    public Collection<String> metricNames() {
        return backend.metricNames();
    }
}

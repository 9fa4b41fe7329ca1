package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.rules.MetricDefinitionChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The series someone asked for recently. Only valid metric requests enter, so its size is bounded by use. */
@ApplicationScoped
class SeriesCache {

    private final ConcurrentMap<SeriesKey, CachedSeries> series = new ConcurrentHashMap<>();

    CachedSeries series(MetricQuery query, Instant now) {
        SeriesKey key = SeriesKey.of(query.namespace(), query.metricName(), query.selector());
        CachedSeries found = series.computeIfAbsent(key, k -> new CachedSeries(k, query, now));
        found.requested(now);
        return found;
    }

    /** The series of {@code query}, if someone asked for it recently; does not count as asking. */
    Optional<CachedSeries> find(MetricQuery query) {
        return Optional.ofNullable(series.get(SeriesKey.of(query.namespace(), query.metricName(), query.selector())));
    }

    /** Forgets a series whose query turned out invalid (unknown metric, undeclared label): never cached. */
    void forget(CachedSeries entry) {
        series.remove(entry.key(), entry);
    }

    /** Forgets the series of a metric whose definition changed: the next request searches with the new one. */
    void definitionChanged(@Observes MetricDefinitionChanged event) {
        series.values().removeIf(entry -> entry.query().namespace().equals(event.namespace())
                && entry.query().metricName().equals(event.name()));
    }

    /** Drops the series nobody asked for since {@code idleSince} and returns the others. */
    List<CachedSeries> expireIdle(Instant idleSince) {
        series.values().removeIf(entry -> entry.lastRequested().isBefore(idleSince));
        return new ArrayList<>(series.values());
    }

    Collection<CachedSeries> all() {
        return series.values();
    }
}

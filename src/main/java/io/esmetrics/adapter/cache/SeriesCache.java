package io.esmetrics.adapter.cache;

import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.rules.MetricDefinitionChanged;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * The answers someone asked for recently, bounded by the series (labelled values) they hold: overall, and per
 * namespace apart for the answers of distinct selectors and for the namespace-wide ones (one per metric), so that
 * neither kind of one namespace can crowd out the other kind or the other namespaces. Only valid metric requests
 * enter. An answer the bounds leave no room for is not kept: it is given by a search each time, which the miss limit
 * bounds in turn.
 */
@ApplicationScoped
class SeriesCache {

    private static final RepeatedWarnings WARNINGS = new RepeatedWarnings(SeriesCache.class);

    private final ConcurrentMap<SeriesKey, CachedSeries> series = new ConcurrentHashMap<>();
    private final CacheConfig config;
    private final MeterRegistry registry;
    // Changed only under the lock of this cache: entries enter and leave rarely, compared to reads.
    private final Map<String, Integer> heldByNamespace = new HashMap<>();
    private final Map<String, Integer> heldNamespaceWide = new HashMap<>();
    private int held;

    SeriesCache(CacheConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    @PostConstruct
    void registerGauges() {
        Gauge.builder("esmetrics.cache.series", this, SeriesCache::held)
                .description("Series (labelled values) held in memory, for every namespace together")
                .register(registry);
        Gauge.builder("esmetrics.cache.answers", series, Map::size)
                .description("Answers (metric, namespace and selector) held in memory")
                .register(registry);
        Gauge.builder("esmetrics.cache.namespaces", this, SeriesCache::namespaces)
                .description("Namespaces with answers for distinct selectors held in memory")
                .register(registry);
    }

    /**
     * The entry of {@code query}, created when absent and the bounds leave room; empty when they do not. The answer
     * for the empty selector (one per metric and namespace, the one every selector of a metric that adds up is
     * picked from) counts against the overall bound and its namespace's namespace-wide one.
     */
    Optional<CachedSeries> series(MetricQuery query, Instant now) {
        SeriesKey key = SeriesKey.of(query.namespace(), query.metricName(), query.selector());
        CachedSeries found = series.get(key);
        if (found == null) {
            found = admit(key, query, now);
        }
        if (found != null) {
            found.requested(now);
        }
        return Optional.ofNullable(found);
    }

    private synchronized CachedSeries admit(SeriesKey key, MetricQuery query, Instant now) {
        CachedSeries found = series.get(key);
        if (found != null) {
            return found;
        }
        String namespace = query.namespace();
        if (held >= config.maxSeries()) {
            refused("total", "The adapter holds " + held + " series in memory, its bound (adapter.cache.max-series): "
                    + "answers not held yet are given by a search each time until some are forgotten");
            return null;
        }
        int ownSeries = heldByNamespace.getOrDefault(namespace, 0);
        if (!query.selector().isEmpty() && ownSeries >= config.maxSeriesPerNamespace()) {
            refused("namespace", "Namespace " + namespace + " holds " + ownSeries + " series in memory, its bound "
                    + "(adapter.cache.max-series-per-namespace): its further selectors are answered by a search each "
                    + "time, within its miss limit, until some are forgotten");
            return null;
        }
        int namespaceWide = heldNamespaceWide.getOrDefault(namespace, 0);
        if (query.selector().isEmpty() && namespaceWide >= config.maxNamespaceWideSeriesPerNamespace()) {
            refusedNamespaceWide(namespace, namespaceWide);
            return null;
        }
        CachedSeries created = new CachedSeries(key, query, now);
        series.put(key, created);
        adjust(created, created.weight());
        return created;
    }

    private void refused(String bound, String warning) {
        registry.counter("esmetrics.cache.refused", "bound", bound).increment();
        WARNINGS.warn(warning);
    }

    private void refusedNamespaceWide(String namespace, int held) {
        refused("namespace-wide", "Namespace " + namespace + " holds " + held + " series in its namespace-wide answers, "
                + "its bound (adapter.cache.max-namespace-wide-series-per-namespace): its further metrics are answered by "
                + "a search each time, within its miss limit, until some are forgotten");
    }

    /**
     * Counts the series of the entry's newest answer against the bounds (after every search). A namespace-wide answer
     * that grew its namespace beyond its bound is let go: its size is known only once it is answered.
     */
    synchronized void weigh(CachedSeries entry) {
        if (series.get(entry.key()) != entry) {
            return;
        }
        int before = entry.weight();
        int after = entry.reweigh();
        adjust(entry, after - before);
        String namespace = entry.key().namespace();
        int namespaceWide = heldNamespaceWide.getOrDefault(namespace, 0);
        if (entry.key().selector().isEmpty() && namespaceWide > config.maxNamespaceWideSeriesPerNamespace()) {
            forget(entry);
            refusedNamespaceWide(namespace, namespaceWide);
        }
    }

    /** The entry of {@code query}, if it is held, counted as asked for; never creates one. */
    Optional<CachedSeries> lookup(MetricQuery query, Instant now) {
        Optional<CachedSeries> found = find(query);
        found.ifPresent(entry -> entry.requested(now));
        return found;
    }

    /** The entry of {@code query}, if someone asked for it recently; does not count as asking. */
    Optional<CachedSeries> find(MetricQuery query) {
        return Optional.ofNullable(series.get(SeriesKey.of(query.namespace(), query.metricName(), query.selector())));
    }

    /** Forgets an entry whose query turned out invalid (unknown metric, undeclared label): never cached. */
    synchronized void forget(CachedSeries entry) {
        if (series.remove(entry.key(), entry)) {
            adjust(entry, -entry.weight());
        }
    }

    /** Forgets the answers of a metric whose definition changed: the next request searches with the new one. */
    void definitionChanged(@Observes MetricDefinitionChanged event) {
        removeIf(entry -> entry.key().namespace().equals(event.namespace())
                && entry.key().metricName().equals(event.name()));
    }

    /** Drops the entries nobody asked for since {@code idleSince} and returns the others. */
    List<CachedSeries> expireIdle(Instant idleSince) {
        removeIf(entry -> entry.lastRequested().isBefore(idleSince));
        return new ArrayList<>(series.values());
    }

    Collection<CachedSeries> all() {
        return series.values();
    }

    private synchronized void removeIf(Predicate<CachedSeries> condemned) {
        for (Iterator<CachedSeries> entries = series.values().iterator(); entries.hasNext();) {
            CachedSeries entry = entries.next();
            if (condemned.test(entry)) {
                entries.remove();
                adjust(entry, -entry.weight());
            }
        }
    }

    /**
     * Counts a change of the series an entry holds, overall and in its namespace's count of its kind: a namespace
     * whose metrics have many series must not lose the room for its selectors of an average, nor the other way round.
     */
    private void adjust(CachedSeries entry, int delta) {
        held += delta;
        Map<String, Integer> byNamespace = entry.key().selector().isEmpty() ? heldNamespaceWide : heldByNamespace;
        byNamespace.merge(entry.key().namespace(), delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    synchronized int held() {
        return held;
    }

    /** The series held for the distinct selectors of {@code namespace}, which its bound limits. */
    synchronized int heldIn(String namespace) {
        return heldByNamespace.getOrDefault(namespace, 0);
    }

    /** The series held for the namespace-wide answers of {@code namespace}, which their own bound limits. */
    synchronized int heldNamespaceWideIn(String namespace) {
        return heldNamespaceWide.getOrDefault(namespace, 0);
    }

    private synchronized int namespaces() {
        return heldByNamespace.size();
    }
}

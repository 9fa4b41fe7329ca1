package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.selector.LabelSelector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of what is held, per namespace: a tenant whose namespace-wide answers grow past its bound has them let
 * go (given by a search each time, within its miss limit) while the other namespaces' answers, and its own answers
 * to distinct selectors, are still kept.
 */
class SeriesCacheTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private SeriesCache cache;

    @BeforeEach
    void cacheWithSmallBounds() {
        Map<String, String> properties = new HashMap<>(Map.of(
                "adapter.cache.max-series", "1000",
                "adapter.cache.max-series-per-namespace", "10",
                "adapter.cache.max-namespace-wide-series-per-namespace", "100"));
        CacheConfig config = new SmallRyeConfigBuilder().withMapping(CacheConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()).withDefaultValues(properties).build()
                .getConfigMapping(CacheConfig.class);
        cache = new SeriesCache(config, registry);
    }

    @Test
    void aNamespaceWhoseNamespaceWideAnswersOutgrowItsBoundHasTheLastOneLetGo() {
        CachedSeries first = answered(namespaceWide("hostile", "m1"), 60);
        CachedSeries second = answered(namespaceWide("hostile", "m2"), 60);

        assertThat(cache.find(first.query())).containsSame(first);
        assertThat(cache.find(second.query())).as("the answer that took the namespace past 100 series").isEmpty();
        assertThat(cache.heldNamespaceWideIn("hostile")).isEqualTo(60);
        assertThat(registry.counter("esmetrics.cache.refused", "bound", "namespace-wide").count()).isEqualTo(1);
    }

    @Test
    void aNamespaceAtItsBoundHasNoFurtherNamespaceWideAnswerKept() {
        answered(namespaceWide("hostile", "m1"), 100);

        assertThat(cache.series(namespaceWide("hostile", "m2"), NOW)).isEmpty();
        assertThat(registry.counter("esmetrics.cache.refused", "bound", "namespace-wide").count()).isEqualTo(1);
    }

    @Test
    void theOtherNamespacesAndTheTenantsOwnSelectorsAreStillKept() {
        answered(namespaceWide("hostile", "m1"), 100);
        assertThat(cache.series(namespaceWide("hostile", "m2"), NOW)).isEmpty();

        CachedSeries quiet = answered(namespaceWide("quiet", "m1"), 100);
        CachedSeries selector = answered(new MetricQuery("hostile", "avg", LabelSelector.parse("service=chat")), 5);

        assertThat(cache.find(quiet.query())).containsSame(quiet);
        assertThat(cache.find(selector.query())).containsSame(selector);
        assertThat(cache.held()).isEqualTo(100 + 100 + 5);
        assertThat(cache.heldIn("hostile")).isEqualTo(5);
    }

    @Test
    void forgettingAnAnswerGivesItsRoomBack() {
        CachedSeries first = answered(namespaceWide("hostile", "m1"), 100);
        cache.forget(first);

        assertThat(cache.heldNamespaceWideIn("hostile")).isZero();
        assertThat(cache.series(namespaceWide("hostile", "m2"), NOW)).isPresent();
    }

    /** The entry of {@code query}, admitted and answered with {@code series} series, weighed as after a search. */
    private CachedSeries answered(MetricQuery query, int series) {
        CachedSeries entry = cache.series(query, NOW).orElseThrow();
        List<MetricValue> values = IntStream.range(0, series)
                .mapToObj(i -> new MetricValue(query.metricName(), Map.of("service", "s" + i), BigDecimal.ONE, NOW, Optional.empty()))
                .toList();
        entry.complete(entry.claim(NOW).orElseThrow(), MetricAnswer.of(values), NOW);
        cache.weigh(entry);
        return entry;
    }

    private static MetricQuery namespaceWide(String namespace, String metric) {
        return new MetricQuery(namespace, metric, LabelSelector.everything());
    }
}

package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.time.PeriodicWork;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;

/**
 * Keeps the {@link IngestWatch} look-ups of the configured metrics' indices current in the background, and shows
 * them: {@code esmetrics_ingest_lag_seconds{metric}} (how long ago the pipeline last delivered: the newest arrival
 * stamp, else the newest event time; NaN when no event within the look-back) and
 * {@code esmetrics_ingest_stalled{metric}} (1 while the metric has no current data: a
 * stalled pipeline, no index, no recent event; 0 while events arrive). Metrics that namespaces declare as
 * ElasticsearchMetrics are left out: they are as many as teams make, and their conditions show the same.
 */
@Startup
@ApplicationScoped
class IngestLagMonitor {

    private final MetricRules rules;
    private final IngestWatch watch;
    private final ElasticsearchConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    private PeriodicWork ticker;

    IngestLagMonitor(MetricRules rules, IngestWatch watch, ElasticsearchConfig config, MeterRegistry registry, Clock clock) {
        this.rules = rules;
        this.watch = watch;
        this.config = config;
        this.registry = registry;
        this.clock = clock;
    }

    @PostConstruct
    void start() {
        // Every metric has its gauges from the start: NaN (unknown) until the first look-up answers.
        rules.configuredRules().forEach(this::registerGauges);
        ticker = PeriodicWork.start("ingest-lag-monitor", "looking up the newest events", Duration.ZERO,
                config.ingestLagInterval(), this::lookUp);
    }

    @PreDestroy
    void stop() {
        ticker.close();
    }

    /** Looks up the configured metrics' indices whose last look-up no longer stands. */
    void lookUp() {
        watch.observe(rules.configuredRules().stream().map(EventIndices::of).toList()).values().forEach(observation ->
                observation.failure().ifPresent(failure -> Log.debugf("Ingest lag not measured: %s", failure.getMessage())));
    }

    /** Idempotent: Micrometer returns the existing gauge for a name and tags already registered. */
    private void registerGauges(MetricRule rule) {
        Gauge.builder("esmetrics.ingest.lag", () -> lagSeconds(rule))
                .description("How long ago the newest event of the metric's indices arrived (or, unstamped, happened); NaN when none is recent")
                .tag("metric", rule.name())
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("esmetrics.ingest.stalled", () -> stalled(rule))
                .description("1 while the metric has no current data (stalled pipeline, no index, no recent event), else 0")
                .tag("metric", rule.name())
                .register(registry);
    }

    double lagSeconds(MetricRule rule) {
        return watch.last(EventIndices.of(rule)).flatMap(IngestObservation::lastDelivery)
                .map(at -> Math.max(0, (clock.millis() - at.toEpochMilli()) / 1000.0))
                .orElse(Double.NaN);
    }

    double stalled(MetricRule rule) {
        return watch.last(EventIndices.of(rule))
                .map(observation -> observation.problemFor(rule).isPresent() ? 1.0 : 0.0)
                .orElse(Double.NaN);
    }
}

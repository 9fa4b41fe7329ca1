package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRules;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Looks up the newest event of every configured metric with one {@code _msearch} per interval and exposes
 * {@code esmetrics_ingest_lag_seconds{metric}}: how far behind now the data is. NaN when nothing recent exists.
 * Metrics that namespaces declare as ElasticsearchMetrics are left out: they are as many as teams make, and a
 * stalled pipeline already shows on the configured ones.
 */
@Startup
@ApplicationScoped
class IngestLagMonitor {

    private final MetricRules rules;
    private final SearchClient client;
    private final SearchRequestFactory requests;
    private final ElasticsearchConfig config;
    private final MeterRegistry registry;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Optional<Instant>> newest = new ConcurrentHashMap<>();
    private ScheduledExecutorService ticker;

    IngestLagMonitor(MetricRules rules, SearchClient client, ElasticsearchConfig config, MeterRegistry registry) {
        this.rules = rules;
        this.client = client;
        this.config = config;
        this.registry = registry;
        this.requests = new SearchRequestFactory(config.searchTimeout(), config.seriesPageSize());
    }

    @PostConstruct
    void start() {
        // Every metric has its gauge from the start: NaN (unknown) until the first look-up answers.
        rules.configuredRules().forEach(rule -> registerGauge(rule.name()));
        ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ingest-lag-monitor");
            thread.setDaemon(true);
            return thread;
        });
        long interval = config.ingestLagInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::lookUpSafely, 0, interval, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        ticker.shutdownNow();
    }

    private void lookUpSafely() {
        try {
            lookUp();
        } catch (BackendUnavailableException e) {
            Log.debugf("Ingest lag not measured: %s", e.getMessage());
        } catch (RuntimeException e) {
            Log.error("Measuring the ingest lag failed", e);
        }
    }

    void lookUp() {
        Instant now = clock.instant();
        List<MetricRule> all = List.copyOf(rules.configuredRules());
        List<JsonNode> answers = client.msearch(all.stream()
                .map(rule -> requests.newestEvent(rule, now, config.ingestLagLookback())).toList());
        for (int i = 0; i < all.size(); i++) {
            JsonNode value = answers.get(i).path("aggregations").path(SearchRequestFactory.NEWEST_AGGREGATION).path("value");
            String metric = all.get(i).name();
            if (answers.get(i).has("error")) {
                continue;
            }
            newest.put(metric, value.canConvertToLong() ? Optional.of(Instant.ofEpochMilli(value.asLong())) : Optional.empty());
            registerGauge(metric);
        }
    }

    /** Idempotent: Micrometer returns the existing gauge for a name and tags already registered. */
    private void registerGauge(String metric) {
        Gauge.builder("esmetrics.ingest.lag", () -> lagSeconds(metric))
                .description("How far the newest indexed event of this metric lags behind now")
                .tag("metric", metric)
                .baseUnit("seconds")
                .register(registry);
    }

    double lagSeconds(String metric) {
        return newest.getOrDefault(metric, Optional.empty())
                .map(at -> Math.max(0, (clock.millis() - at.toEpochMilli()) / 1000.0))
                .orElse(Double.NaN);
    }
}

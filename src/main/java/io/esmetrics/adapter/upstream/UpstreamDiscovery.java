package io.esmetrics.adapter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.externalmetrics.ForwardedMetricNames;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.time.PeriodicWork;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream provider's metric names, fetched every {@code adapter.upstream.discovery-interval} in the background
 * and kept when it cannot be reached, so that discovery never waits for it nor loses its names in an outage. Names
 * both providers serve are clashes: each is logged once, and counted by a gauge.
 */
@Singleton
public class UpstreamDiscovery implements ForwardedMetricNames {

    /** Far more than any provider lists; a protection against a runaway list, not a quota. */
    private static final int MAX_NAMES = 10_000;

    private final UpstreamClient client;
    private final UpstreamConfig config;
    private final MetricRules rules;
    private final ObjectMapper mapper;
    private final RepeatedWarnings warnings = new RepeatedWarnings(UpstreamDiscovery.class);
    private final Set<String> reportedClashes = ConcurrentHashMap.newKeySet();
    private volatile Set<String> names = Set.of();
    private volatile int clashes;
    private PeriodicWork ticker;

    UpstreamDiscovery(UpstreamClient client, UpstreamConfig config, MetricRules rules, ObjectMapper mapper, MeterRegistry registry) {
        this.client = client;
        this.config = config;
        this.rules = rules;
        this.mapper = mapper;
        if (client.enabled()) {
            Gauge.builder("esmetrics.upstream.name.clashes", () -> clashes)
                    .description("Metric names served both by this adapter and by the upstream provider (logged once each)")
                    .register(registry);
            Gauge.builder("esmetrics.upstream.metrics", () -> names.size())
                    .description("Metric names the upstream provider listed when last asked")
                    .register(registry);
        }
    }

    void start(@Observes StartupEvent event) {
        if (!client.enabled()) {
            return;
        }
        ticker = PeriodicWork.start("upstream-discovery", "listing the upstream provider's metrics", Duration.ZERO,
                config.discoveryInterval(), this::refreshSafely);
    }

    void stop(@Observes ShutdownEvent event) {
        if (ticker != null) {
            ticker.close();
        }
    }

    @Override
    public Set<String> names() {
        return names;
    }

    private void refreshSafely() {
        try {
            client.reloadFiles();
            refresh();
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            warnings.warn("Cannot list the metrics of the upstream provider; discovery keeps the " + names.size()
                    + " names it listed last: " + cause.getMessage());
        }
    }

    private void refresh() {
        UpstreamAnswer answer = client.discovery().join();
        JsonNode list;
        try {
            list = mapper.readTree(answer.body());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable answer", e);
        }
        if (answer.status() != 200) {
            // A Status: most often 401 or 403, the adapter's identity lacking RBAC on the provider's side.
            throw new IllegalStateException("it answered " + answer.status() + ": " + list.path("message").asText());
        }
        Set<String> listed = new TreeSet<>();
        for (JsonNode resource : list.path("resources")) {
            String name = resource.path("name").asText();
            // Subresources (name/sub) are not metrics.
            if (!name.isEmpty() && !name.contains("/") && listed.size() < MAX_NAMES) {
                listed.add(name);
            }
        }
        if (!listed.equals(names)) {
            Log.infof("The upstream provider %s lists %d metric names", client.describe(), listed.size());
        }
        names = Collections.unmodifiableSet(listed);
        noteClashes(listed);
    }

    private void noteClashes(Set<String> upstream) {
        Set<String> forwarded = config.alwaysForward().orElse(Set.of());
        Set<String> both = new TreeSet<>(rules.names());
        both.retainAll(upstream);
        clashes = both.size();
        for (String name : both) {
            if (reportedClashes.add(name)) {
                Log.warnf("Metric %s is served both by this adapter and by the upstream provider %s: %s", name,
                        client.describe(), forwarded.contains(name)
                                ? "requests for it are forwarded (adapter.upstream.always-forward)"
                                : "this adapter answers; list it in adapter.upstream.always-forward to forward it instead");
            }
        }
    }
}

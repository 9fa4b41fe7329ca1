package io.esmetrics.adapter.observability;

import io.esmetrics.adapter.authentication.SecurePki;
import io.esmetrics.adapter.crd.CustomResourcesEnabled;
import io.esmetrics.adapter.servingcert.ApiServiceApplied;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The adapter as deployed, plus every optional feature that has meters of its own: the self-managed serving
 * certificate (and its APIService), ElasticsearchMetric custom resources (and their status writer), an upstream
 * provider. Times are short enough for a test (a 5 s staleness budget), and the bounds of one namespace low enough to
 * meet with a few requests.
 */
public final class EveryMeteredFeature implements QuarkusTestProfile {

    /** A metric no other test asks for, with a staleness budget of its own. */
    static final String OWN_BUDGET_METRIC = "monitored_queue_length";

    @Override
    public Map<String, String> getConfigOverrides() {
        FakeExternalMetricsProvider upstream = FakeExternalMetricsProvider.shared(SecurePki.DIR);
        Path token = SecurePki.DIR.resolve("monitoring-upstream-token");
        try {
            Files.writeString(token, "token-of-the-adapter");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> overrides = new HashMap<>(new CustomResourcesEnabled().getConfigOverrides());
        overrides.putAll(Map.ofEntries(
                Map.entry("adapter.rules.files", overrides.get("adapter.rules.files") + ",src/test/resources/EveryMeteredFeature/metrics.yaml"),
                Map.entry("adapter.serving.tls", "true"),
                Map.entry("adapter.serving.self-managed", "true"),
                Map.entry("adapter.serving.reload-interval", "300ms"),
                Map.entry("quarkus.kubernetes-client.namespace", "es-metrics-adapter"),
                Map.entry("adapter.upstream.url", upstream.url().toString()),
                Map.entry("adapter.upstream.ca-file", upstream.caFile().toString()),
                Map.entry("adapter.upstream.token-file", token.toString()),
                Map.entry("adapter.upstream.discovery-interval", "200ms"),
                Map.entry("adapter.cache.refresh-interval", "300ms"),
                Map.entry("adapter.cache.max-value-age", "5s"),
                Map.entry("adapter.cache.metrics." + OWN_BUDGET_METRIC + ".max-value-age", "4s"),
                Map.entry("adapter.cache.min-query-interval", "100ms"),
                // A flooding namespace meets both of its bounds within a few selectors.
                Map.entry("adapter.cache.max-series-per-namespace", "1"),
                Map.entry("adapter.cache.miss-limit.burst", "5"),
                Map.entry("adapter.cache.miss-limit.per-second", "1"),
                Map.entry("adapter.elasticsearch.search-timeout", "1s"),
                Map.entry("quarkus.elasticsearch.socket-timeout", "1500ms"),
                Map.entry("adapter.elasticsearch.circuit-breaker.initial-pause", "200ms"),
                Map.entry("adapter.elasticsearch.circuit-breaker.max-pause", "1s")));
        return overrides;
    }

    /** The ElasticsearchMetric CRD installed and apiservice.yaml applied, before the adapter starts. */
    public static final class ClusterPrepared implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            new CustomResourcesEnabled.CrdInstalled().accept(server);
            new ApiServiceApplied().accept(server);
        }
    }
}

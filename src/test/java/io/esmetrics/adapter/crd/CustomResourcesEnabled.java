package io.esmetrics.adapter.crd;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.function.Consumer;

/** The adapter watching ElasticsearchMetrics on the mock API server, writing statuses every half second (extended by tests that need more). */
public class CustomResourcesEnabled implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "adapter.custom-resources.enabled", "true",
                "adapter.custom-resources.status-interval", "500ms",
                // The event indices, and those tests create to read what ai-events-* does not hold.
                "adapter.custom-resources.allowed-index-patterns", "ai-events-*,missing-*,lag-events-*,crd-text-*",
                // The mock API server logs every request at INFO.
                "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN",
                "adapter.rules.files",
                "src/test/resources/test-metrics.yaml,src/test/resources/CustomResourceMetricsTest/configured-metrics.yaml");
    }

    /** Installs the committed CRD before the adapter starts, as an administrator would. */
    public static final class CrdInstalled implements Consumer<KubernetesServer> {

        @Override
        public void accept(KubernetesServer server) {
            try (var in = Files.newInputStream(CustomResourceDefinitionTest.COMMITTED)) {
                CustomResourceDefinition crd = server.getClient().apiextensions().v1().customResourceDefinitions().load(in).item();
                server.getClient().apiextensions().v1().customResourceDefinitions().resource(crd).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

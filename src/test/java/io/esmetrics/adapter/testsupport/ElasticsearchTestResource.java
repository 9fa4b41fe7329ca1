package io.esmetrics.adapter.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the adapter under test at the shared, real Elasticsearch node. */
public final class ElasticsearchTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.elasticsearch.hosts", SharedElasticsearch.node().hostAndPort());
    }

    @Override
    public void stop() {
        // Shared by every test class: stopped once, by StopElasticsearchAfterTests.
    }
}

package io.esmetrics.adapter.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the adapter under test at an {@link ElasticsearchProxy} in front of the shared node. */
public final class ProxiedElasticsearchTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile ElasticsearchProxy proxy;

    /** The proxy of the running test class. */
    public static ElasticsearchProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        proxy = ElasticsearchProxy.inFrontOf(SharedElasticsearch.node().hostAndPort());
        return Map.of("quarkus.elasticsearch.hosts", proxy.hostAndPort());
    }

    @Override
    public void stop() {
        proxy.close();
    }
}

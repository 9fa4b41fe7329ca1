package io.esmetrics.adapter.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A private Elasticsearch node behind an {@link ElasticsearchProxy}, for tests that stop the node: the shared
 * node stays untouched. A test may stop the node and {@link #restart()} a new one behind the same address.
 */
public final class OwnElasticsearchTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile ElasticsearchProcess node;
    private static volatile ElasticsearchProxy proxy;

    public static ElasticsearchProcess node() {
        return node;
    }

    /** Stops the node, as a crash or a rolling restart would. */
    public static synchronized void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    /** Starts a fresh node and sends the adapter's requests to it. */
    public static synchronized ElasticsearchProcess restart() {
        stopNode();
        node = ElasticsearchProcess.start();
        node.installEventIndexTemplate();
        proxy.retarget(node.hostAndPort());
        return node;
    }

    @Override
    public Map<String, String> start() {
        node = ElasticsearchProcess.start();
        node.installEventIndexTemplate();
        proxy = ElasticsearchProxy.inFrontOf(node.hostAndPort());
        return Map.of("quarkus.elasticsearch.hosts", proxy.hostAndPort());
    }

    @Override
    public void stop() {
        proxy.close();
        stopNode();
    }
}

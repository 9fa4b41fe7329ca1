package io.esmetrics.adapter.testsupport;

/**
 * The one Elasticsearch node of a test run: started on first use, stopped when the JUnit launcher session ends
 * ({@link StopElasticsearchAfterTests}) or, failing that, when the JVM exits. Quarkus loads the test resources of each
 * test profile in a class loader of its own: the node is found again through a system property, not started once per
 * profile.
 */
public final class SharedElasticsearch {

    private static final String NODE = "es-metrics-adapter.test.shared-node";
    private static ElasticsearchProcess node;

    private SharedElasticsearch() {
    }

    public static synchronized ElasticsearchProcess node() {
        if (node == null || !node.isAlive()) {
            node = ElasticsearchProcess.attach(System.getProperty(NODE), ElasticsearchProcess.AdminAccess.PLAIN).orElseGet(() -> {
                ElasticsearchProcess started = ElasticsearchProcess.start();
                started.installEventIndexTemplate();
                System.setProperty(NODE, started.descriptor());
                return started;
            });
        }
        return node;
    }

    static synchronized void stop() {
        if (node != null) {
            node.close();
            node = null;
        }
    }
}

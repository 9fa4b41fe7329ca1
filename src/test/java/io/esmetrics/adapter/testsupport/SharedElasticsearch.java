package io.esmetrics.adapter.testsupport;

/**
 * The one Elasticsearch node of a test run: started on first use, stopped when the JUnit launcher session
 * ends ({@link StopElasticsearchAfterTests}) or, failing that, when the JVM exits.
 */
public final class SharedElasticsearch {

    private static ElasticsearchProcess node;

    private SharedElasticsearch() {
    }

    public static synchronized ElasticsearchProcess node() {
        if (node == null || !node.isAlive()) {
            node = ElasticsearchProcess.start();
            node.installEventIndexTemplate();
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

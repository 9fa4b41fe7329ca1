package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.testsupport.SecuredElasticsearch;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The role k8s/elasticsearch/setup-users.sh gives the adapter's Elasticsearch user, with the body the script sends
 * (SecuredElasticsearch#USER_WITH_SHIPPED_ROLE), on a real node with security on: enough for every request the adapter makes (the searches, and the cluster health of
 * metric elasticsearch_shards_unsettled), and no more (no change to the cluster).
 */
class AdapterElasticsearchRoleTest {

    private static SecuredElasticsearch secured;

    @BeforeAll
    static void secured() {
        secured = SecuredElasticsearch.get();
    }

    @Test
    void readsTheClusterHealth() throws Exception {
        assertThat(asTheAdapter("GET", "/_cluster/health?filter_path=status", null).statusCode()).isEqualTo(200);
    }

    @Test
    void searchesTheEventIndices() throws Exception {
        assertThat(asTheAdapter("POST", "/ai-events-*/_search?allow_no_indices=true", "{\"size\": 0}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void changesNothingInTheCluster() throws Exception {
        HttpResponse<String> settings = asTheAdapter("PUT", "/_cluster/settings",
                "{\"persistent\": {\"cluster.routing.allocation.exclude._name\": \"anyone\"}}");

        assertThat(settings.statusCode()).as(settings.body()).isEqualTo(403);
    }

    private static HttpResponse<String> asTheAdapter(String method, String path, String body) throws Exception {
        return secured.send(SecuredElasticsearch.USER_WITH_SHIPPED_ROLE, method, path, body);
    }
}

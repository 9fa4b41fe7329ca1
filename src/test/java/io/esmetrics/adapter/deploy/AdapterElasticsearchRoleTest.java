package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.SecuredElasticsearch;
import io.esmetrics.adapter.testsupport.TestPki;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The role k8s/elasticsearch/setup-users.sh gives the adapter's Elasticsearch user, with the body the script sends
 * (SecuredElasticsearch#USER_WITH_SHIPPED_ROLE), on a real node with security on: enough for every request the adapter makes (the searches, and the cluster health of
 * metric elasticsearch_shards_unsettled), and no more (no change to the cluster).
 */
class AdapterElasticsearchRoleTest {

    private static ElasticsearchProcess node;
    private static HttpClient http;

    @BeforeAll
    static void secured() {
        SecuredElasticsearch secured = SecuredElasticsearch.get();
        node = secured.node();
        http = TestPki.anonymousClientTrusting(secured.ca());
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
        String basic = Base64.getEncoder().encodeToString((SecuredElasticsearch.USER_WITH_SHIPPED_ROLE + ":"
                + SecuredElasticsearch.PASSWORD).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(node.uri(path)).header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}

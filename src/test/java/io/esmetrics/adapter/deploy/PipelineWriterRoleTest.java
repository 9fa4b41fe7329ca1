package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.testsupport.SecuredElasticsearch;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The role k8s/elasticsearch/setup-users.sh gives Logstash, the only writer of the event indices, with the body the
 * script sends (SecuredElasticsearch#USER_WITH_WRITER_ROLE), on a real node with security on: it adds events, a first
 * event creating its daily index from the template, and nothing else. Above all it cannot escape the template's final
 * pipeline, where an event's identity is decided (docs/security.md, "Who can write the numbers"): not by creating an
 * index with settings of its own, not by changing the index, the template or the pipeline.
 */
class PipelineWriterRoleTest {

    private static final String EVENT = "{\"@timestamp\":\"2026-12-07T10:00:00Z\",\"message\":\"{}\"}";

    private static SecuredElasticsearch secured;

    @BeforeAll
    static void secured() {
        secured = SecuredElasticsearch.get();
    }

    @Test
    void addsEventsAndAFirstEventCreatesItsDailyIndexFromTheTemplate() throws Exception {
        String index = dailyIndex();

        HttpResponse<String> bulk = asTheWriter("POST", "/_bulk", "{\"create\":{\"_index\":\"" + index + "\"}}\n" + EVENT + "\n");

        assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
        assertThat(bulk.body()).contains("\"status\":201").doesNotContain("\"errors\":true");
        assertThat(secured.node().request("GET", "/" + index + "/_settings", null).findPath("final_pipeline").asText())
                .as("the template's settings").isEqualTo("ai-events-final");
    }

    /** The attack this role was cut for: an index of the pattern whose settings skip the final pipeline. */
    @Test
    void cannotCreateAnEventIndexWithSettingsOfItsOwn() throws Exception {
        HttpResponse<String> created = asTheWriter("PUT", "/" + dailyIndex(), "{\"settings\":{\"index.final_pipeline\":\"_none\"}}");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(403);
    }

    @Test
    void cannotChangeAnEventIndexTheTemplateOrThePipeline() throws Exception {
        String index = dailyIndex();
        asTheWriter("POST", "/_bulk", "{\"create\":{\"_index\":\"" + index + "\"}}\n" + EVENT + "\n");

        assertThat(asTheWriter("PUT", "/" + index + "/_settings", "{\"index.final_pipeline\":\"_none\"}").statusCode()).isEqualTo(403);
        assertThat(asTheWriter("PUT", "/_index_template/ai-events", "{\"index_patterns\":[\"ai-events-*\"],\"priority\":500}")
                .statusCode()).isEqualTo(403);
        assertThat(asTheWriter("PUT", "/_ingest/pipeline/ai-events-final", "{\"processors\":[]}").statusCode()).isEqualTo(403);
    }

    @Test
    void cannotOverwriteUpdateOrDeleteAnEvent() throws Exception {
        String index = dailyIndex();
        HttpResponse<String> first = asTheWriter("POST", "/_bulk?refresh=true",
                "{\"create\":{\"_index\":\"" + index + "\",\"_id\":\"e1\"}}\n" + EVENT + "\n");
        assertThat(first.body()).contains("\"status\":201");

        assertThat(asTheWriter("PUT", "/" + index + "/_doc/e1", EVENT).statusCode()).as("index, not create").isEqualTo(403);
        assertThat(asTheWriter("POST", "/" + index + "/_update/e1", "{\"doc\":{\"message\":\"x\"}}").statusCode()).isEqualTo(403);
        assertThat(asTheWriter("DELETE", "/" + index + "/_doc/e1", null).statusCode()).isEqualTo(403);
    }

    @Test
    void writesNoOtherIndex() throws Exception {
        HttpResponse<String> bulk = asTheWriter("POST", "/_bulk", "{\"create\":{\"_index\":\"other-events-1\"}}\n" + EVENT + "\n");

        assertThat(bulk.body()).contains("\"status\":403");
    }

    private static String dailyIndex() {
        return "ai-events-writer-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static HttpResponse<String> asTheWriter(String method, String path, String body) throws Exception {
        return secured.send(SecuredElasticsearch.USER_WITH_WRITER_ROLE, method, path, body);
    }
}

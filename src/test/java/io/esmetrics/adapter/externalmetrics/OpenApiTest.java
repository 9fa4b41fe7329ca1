package io.esmetrics.adapter.externalmetrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAPI documents the aggregator fetches: complete, self-consistent, and cheap to fetch again. */
@QuarkusTest
@WithTestResource(ElasticsearchTestResource.class)
class OpenApiTest {

    /** Each metric is a resource of its own, as discovery lists it. */
    private static final String METRIC_PATH = "/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/queue_length";
    private static final String LIST = "io.k8s.metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList";

    @Test
    void describesTheApiInOpenApiV2() throws Exception {
        JsonNode document = json(given().get("/openapi/v2").then().statusCode(200).contentType("application/json").extract().response());

        assertThat(document.path("swagger").asText()).isEqualTo("2.0");
        assertThat(document.path("paths").path(METRIC_PATH).path("get").path("responses").path("200").path("schema").path("$ref").asText())
                .isEqualTo("#/definitions/" + LIST);
        assertThat(document.path("definitions").path(LIST).path("x-kubernetes-group-version-kind").get(0).path("kind").asText())
                .isEqualTo("ExternalMetricValueList");
        assertEveryReferenceResolves(document, "#/definitions/", document.path("definitions"));
    }

    @Test
    void describesTheApiInOpenApiV3BehindItsIndex() throws Exception {
        JsonNode index = json(given().get("/openapi/v3").then().statusCode(200).extract().response());
        String url = index.path("paths").path("apis/external.metrics.k8s.io/v1beta1").path("serverRelativeURL").asText();
        assertThat(url).startsWith("/openapi/v3/apis/external.metrics.k8s.io/v1beta1?hash=");

        JsonNode document = json(given().urlEncodingEnabled(false).get(url).then().statusCode(200).extract().response());

        assertThat(document.path("openapi").asText()).isEqualTo("3.0.0");
        assertThat(document.path("paths").path(METRIC_PATH).path("get").path("parameters").findValuesAsText("name"))
                .containsExactly("namespace", "labelSelector", "explain");
        assertThat(document.path("paths").path(METRIC_PATH).path("get").path("x-kubernetes-group-version-kind").path("kind").asText())
                .isEqualTo("ExternalMetricValueList");
        assertThat(document.path("paths").has("/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/request_rate")).isTrue();
        assertThat(document.path("paths").path(METRIC_PATH).path("get").path("responses").path("503")
                .path("content").path("application/json").path("schema").path("$ref").asText())
                .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status");
        assertEveryReferenceResolves(document, "#/components/schemas/", document.path("components").path("schemas"));
    }

    @Test
    void answersAnUnchangedDocumentWithNotModified() {
        for (String path : List.of("/openapi/v2", "/openapi/v3")) {
            String etag = given().get(path).then().statusCode(200).extract().header("ETag");
            assertThat(etag).as(path).matches("\"[0-9A-F]{128}\"");

            given().header("If-None-Match", etag).get(path).then().statusCode(304).header("ETag", etag);
            given().header("If-None-Match", "\"stale\"").get(path).then().statusCode(200);
        }
    }

    private static void assertEveryReferenceResolves(JsonNode document, String prefix, JsonNode schemas) {
        List<String> references = new ArrayList<>();
        document.findValuesAsText("$ref").forEach(references::add);
        assertThat(references).isNotEmpty().allSatisfy(reference -> {
            assertThat(reference).startsWith(prefix);
            assertThat(schemas.has(reference.substring(prefix.length()))).as(reference).isTrue();
        });
    }

    private static JsonNode json(Response response) throws Exception {
        return new ObjectMapper().readTree(response.asString());
    }
}

package io.esmetrics.adapter.elasticsearch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.RecordingElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SecuredElasticsearchTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The API key header as it crosses the wire, and a rotated key file taking effect without a restart. */
@QuarkusTest
@WithTestResource(RecordingElasticsearchTestResource.class)
class ApiKeyOnTheWireTest {

    @ConfigProperty(name = "quarkus.elasticsearch.hosts")
    String elasticsearch;

    @Test
    void sendsTheApiKeyFromTheFileAndFollowsItsRotation() throws Exception {
        given().get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then().statusCode(200);
        assertThat(lastAuthorization()).isEqualTo("ApiKey aWQxOmtleTE=");

        SecuredElasticsearchTestResource.writeSecret("api-key", "aWQyOmtleTI=");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            given().get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then().statusCode(200);
            assertThat(lastAuthorization()).isEqualTo("ApiKey aWQyOmtleTI=");
        });
    }

    private String lastAuthorization() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + elasticsearch + "/_last_authorization")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

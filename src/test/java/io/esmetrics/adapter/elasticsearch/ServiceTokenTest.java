package io.esmetrics.adapter.elasticsearch;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.esmetrics.adapter.testsupport.SecuredElasticsearchTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** A service account token (a bearer token) read from a file, against the secured real Elasticsearch. */
@QuarkusTest
@WithTestResource(value = SecuredElasticsearchTestResource.class, initArgs = @ResourceArg(name = "mode", value = "bearer"))
class ServiceTokenTest {

    @Test
    void authenticatesWithAServiceAccountToken() {
        // The fleet-server service account may not read ai-events-*: Elasticsearch drops unauthorized indices
        // from a wildcard, so an accepted token answers an empty window, a rejected one a 503.
        given().get("/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/request_rate").then()
                .statusCode(200).body("items[0].value", equalTo("0"));
    }
}

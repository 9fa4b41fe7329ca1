package io.esmetrics.adapter.externalmetrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/**
 * Every error leaves as a complete Kubernetes {@code Status}, which kubectl prints as
 * {@code Error from server (Reason): message}: each field checked, for each code the adapter gives. The 401, 403
 * and 503 of the cluster's APIs are SecureServingTest's, the 503 of an Elasticsearch outage ElasticsearchDownTest's.
 */
@QuarkusTest
@WithTestResource(ElasticsearchTestResource.class)
class StatusBodiesTest {

    private static final String API = "/apis/external.metrics.k8s.io/v1beta1";

    @Test
    void badRequest() {
        assertStatus(given().queryParam("labelSelector", "service in (a").get(API + "/namespaces/team-a/queue_length").then(),
                400, "BadRequest", "unable to parse requirement: invalid label selector \"service in (a\": found 'end of selector', expected: ',' or ')'");
    }

    @Test
    void notFound() {
        assertStatus(given().get(API + "/namespaces/team-a/no_such_metric").then(),
                404, "NotFound", "the server could not find the metric no_such_metric for namespace team-a");
        assertStatus(given().get("/api/v1/pods").then(), 404, "NotFound", "the server could not find the requested resource");
    }

    @Test
    void methodNotAllowed() {
        assertStatus(given().body("{}").contentType("application/json").put(API + "/namespaces/team-a/queue_length").then(),
                405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }

    @Test
    void notAcceptable() {
        assertStatus(given().accept("application/xml").get(API).then(), 406, "NotAcceptable", "only application/json is served");
    }

    @Test
    void internalErrorSaysOnlyThatItHappened() {
        assertStatus(given().get("/test-only/bug").then().body(not(containsString("/etc/secret"))),
                500, "InternalError", "an error on the server prevented the request from succeeding");
    }

    private static void assertStatus(ValidatableResponse response, int code, String reason, String message) {
        response.statusCode(code)
                .contentType("application/json")
                .body("kind", equalTo("Status"))
                .body("apiVersion", equalTo("v1"))
                .body("metadata.size()", equalTo(0))
                .body("status", equalTo("Failure"))
                .body("code", equalTo(code))
                .body("reason", equalTo(reason))
                .body("message", equalTo(message));
    }
}

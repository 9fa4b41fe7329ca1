package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.OwnElasticsearchTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The Elasticsearch process dies mid-run (its own node, not the shared one) and comes back later. */
@QuarkusTest
@TestProfile(FastRefreshProfile.class)
@WithTestResource(OwnElasticsearchTestResource.class)
class ElasticsearchRestartTest {

    @Test
    void servesTheLastValueWhileElasticsearchIsDownAndRecoversWhenItIsBack() {
        String team = ElasticsearchFaultsTest.team();
        Events.create().queueSample(Instant.now().minusSeconds(5), team, "chat", "q1", 7)
                .indexInto(OwnElasticsearchTestResource.node());
        ElasticsearchFaultsTest.Request request = new ElasticsearchFaultsTest.Request(team, "queue_length", "service=chat");
        assertThat(ElasticsearchFaultsTest.value(request.get())).isEqualTo("7");

        OwnElasticsearchTestResource.stopNode();

        FaultObserver observer = new FaultObserver(request);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(observer::unavailable);
        assertThat(observer.served()).isNotEmpty().containsOnly("7");
        assertThat(observer.lastMessage()).contains("Elasticsearch");
        given().get("/apis/external.metrics.k8s.io/v1beta1").then().statusCode(200);
        given().get("/readyz").then().statusCode(200);

        ElasticsearchProcess restarted = OwnElasticsearchTestResource.restart();
        Events.create().queueSample(Instant.now().minusSeconds(1), team, "chat", "q1", 9).indexInto(restarted);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> "9".equals(ElasticsearchFaultsTest.value(request.get())));
    }
}

package io.esmetrics.adapter.cache;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Answer;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Behaviour;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Delay;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Forward;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.ProxiedElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real Elasticsearch behind a proxy that fails on demand: the adapter serves the last good value within
 * the staleness budget (5 s here), then 503 with the reason, never a zero, and recovers by itself.
 */
@QuarkusTest
@TestProfile(FastRefreshProfile.class)
@WithTestResource(ProxiedElasticsearchTestResource.class)
class ElasticsearchFaultsTest {

    static final String API = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";

    private final ElasticsearchProxy proxy = ProxiedElasticsearchTestResource.proxy();

    @AfterEach
    void behaveAgain() {
        proxy.behave(new Forward());
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(new Answer(503), "told to answer 503"),
                Arguments.of(new Answer(429), "429 Too Many Requests"),
                Arguments.of(new Delay(Duration.ofSeconds(4)), "did not answer"));
    }

    @ParameterizedTest
    @MethodSource("faults")
    void servesTheLastValueThenServiceUnavailableThenRecovers(Behaviour fault, String reason) {
        String team = team();
        Events.create().queueSample(Instant.now().minusSeconds(5), team, "chat", "q1", 7).indexInto(SharedElasticsearch.node());
        Request request = new Request(team, "queue_length", "service=chat");
        assertThat(value(request.get())).isEqualTo("7");

        proxy.behave(fault);

        FaultObserver observer = new FaultObserver(request);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(observer::unavailable);
        assertThat(observer.served()).isNotEmpty().containsOnly("7");
        assertThat(observer.lastMessage()).contains(reason);

        proxy.behave(new Forward());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "7".equals(value(request.get())));
    }

    /**
     * While searches fail, explain tells the values still served from memory, since when searches fail and how much
     * of the staleness budget is left; once the budget is spent, the 503 the HPA gets.
     */
    @Test
    void explainsTheLastGoodValueWhileSearchesFail() {
        String team = team();
        Events.create().queueSample(Instant.now().minusSeconds(5), team, "chat", "q1", 7).indexInto(SharedElasticsearch.node());
        Request request = new Request(team, "queue_length", "service=chat");
        assertThat(value(request.get())).isEqualTo("7");

        proxy.behave(new Answer(503));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> request.explain().getString("answer.lastFailure") != null);
        JsonPath stale = request.explain();
        assertThat(stale.getString("answer.from")).isEqualTo("memory");
        assertThat(stale.getString("answer.items[0].value")).isEqualTo("7");
        assertThat(stale.getString("answer.lastFailure")).contains("told to answer 503");
        assertThat(stale.getString("answer.failingSince")).isNotNull();
        assertThat(stale.getString("answer.budgetLeft")).isNotNull();
        assertThat(stale.getString("hpa.why")).contains("from memory while every search fails");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> request.explain().getInt("answer.code") == 503);
        assertThat(request.explain().getString("answer.status.message")).contains("told to answer 503");

        proxy.behave(new Forward());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "7".equals(value(request.get())));
        assertThat(request.explain().getString("answer.lastFailure")).as("recovered").isNull();
    }

    @Test
    void treatsAFailedShardAsUnavailableNotAsZero() {
        String team = team();
        Events.create().queueSample(Instant.now().minusSeconds(5), team, "chat", "q1", 7).indexInto(SharedElasticsearch.node());
        Request request = new Request(team, "fault_queue_length", "service=chat");
        assertThat(value(request.get())).isEqualTo("7");

        String index = "fault-" + team;
        SharedElasticsearch.node().createIndexWithUnassignedShard(index);

        FaultObserver observer = new FaultObserver(request);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(observer::unavailable);
        assertThat(observer.served()).isNotEmpty().containsOnly("7");
        assertThat(observer.lastMessage()).contains("shard");

        SharedElasticsearch.node().request("DELETE", "/" + index, null);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "7".equals(value(request.get())));
    }

    @Test
    void refreshesEverySelectorOfAMetricInANamespaceWithOneSearchOfOneMultiSearch() {
        String team = team();
        List<String> services = IntStream.range(0, 10).mapToObj(i -> "service-" + i).toList();
        Events events = Events.create();
        services.forEach(service -> events.queueSample(Instant.now().minusSeconds(5), team, service, "q1", 1));
        events.indexInto(SharedElasticsearch.node());

        services.forEach(service -> new Request(team, "queue_length", "service=" + service).get().then().statusCode(200));

        // From the second refresh on, all 10 series are due at once: searched one by one, they would be 10
        // searches of one _msearch; shared, every refresh carries one search for the namespace.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> proxy.searchBodiesPerMultiSearchMentioning(team).size() >= 2);
        assertThat(proxy.searchBodiesPerMultiSearchMentioning(team)).containsOnly(1L);
    }

    /**
     * Elasticsearch refuses every request (400: a refusal the circuit breaker does not count, so that every request
     * reaches it): the look-up of the newest event, which each refresh of request_rate makes (every 300 ms here) and
     * each request that misses or explains may make, is asked once per {@code FieldCapabilities.FAILURE_KEPT} (2 s),
     * not once per search batch.
     */
    @Test
    void asksAFailingElasticsearchForTheNewestEventOnceEveryFewSecondsNotPerSearch() {
        String team = team();
        Events.create().requests(3, Instant.now().minusSeconds(10), team, "chat", 200).indexInto(SharedElasticsearch.node());
        Request request = new Request(team, "request_rate", "service=chat");
        assertThat(request.get().statusCode()).isEqualTo(200);

        proxy.behave(new Answer(400));
        long before = proxy.searchBodiesMentioning(NEWEST_EVENT_LOOK_UP);
        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            request.get();
            given().queryParam("labelSelector", "service=chat").queryParam("explain", "true").get(API + team + "/request_rate");
            new Request(team, "request_rate", "service=other-" + i).get();
        }
        // Refreshes keep running meanwhile: a second or more of them.
        await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - started >= Duration.ofMillis(1500).toNanos());
        long lookUps = proxy.searchBodiesMentioning(NEWEST_EVENT_LOOK_UP) - before;
        double seconds = (System.nanoTime() - started) / 1e9;

        // One per 2 s kept, plus the one in flight at each end of the span.
        assertThat(lookUps).as("look-ups of the newest event in %.1f s", seconds).isPositive()
                .isLessThanOrEqualTo((long) Math.ceil(seconds / 2) + 1);
    }

    /** The look-up of the newest event: a max aggregation of that name (SearchRequestFactory.NEWEST_AGGREGATION). */
    private static final String NEWEST_EVENT_LOOK_UP = "\"newest\"";

    /** A metric request as the HPA sends it. */
    record Request(String namespace, String metric, String labelSelector) {
        Response get() {
            return given().queryParam("labelSelector", labelSelector).get(API + namespace + "/" + metric);
        }

        /** Its explanation, with an HPA target of 10 per replica over 2 replicas. */
        JsonPath explain() {
            return given().queryParam("labelSelector", labelSelector).queryParam("explain", "true")
                    .queryParam("target", "10").queryParam("replicas", "2")
                    .get(API + namespace + "/" + metric).then().statusCode(200).extract().jsonPath();
        }
    }

    static String team() {
        return "faults-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String value(Response response) {
        return response.statusCode() == 200 ? response.path("items[0].value") : "HTTP " + response.statusCode() + ": " + response.path("message");
    }
}

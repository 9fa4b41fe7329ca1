package io.esmetrics.adapter.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.Quantity;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated requests against the real Elasticsearch: random namespaces, metric names and label selectors, valid and
 * not, with values of every shape a label value can take (numbers too large for a long, empty values, names where
 * the field is numeric). Every answer must be a value list or a client error as a {@code Status}: never a 5xx, which
 * would tell the HPA the server failed when the request was the problem. The seed is fixed (override it with
 * {@code -Dgenerated.seed=...}) so a failure is reproducible; the failing requests are printed.
 */
@QuarkusTest
@WithTestResource(ElasticsearchTestResource.class)
class GeneratedRequestsTest {

    private static final int REQUESTS = 10_000;
    private static final int IN_FLIGHT = 8;
    private static final long SEED = Long.getLong("generated.seed", 20261130L);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEAM = "generated-" + UUID.randomUUID().toString().substring(0, 8);

    /** Metrics whose data is current: any 503 from them would be a failure of the request path, not of the data. */
    private static final Map<String, List<String>> METRICS = Map.of(
            "queue_length", List.of("service", "queue"),
            "request_rate", List.of("service", "status_code"),
            "request_count", List.of("service"),
            "queue_length_max", List.of("service"),
            "queue_length_avg", List.of(),
            "queue_length_sum", List.of("service"),
            "all_namespaces_requests", List.of(),
            "dynamic_queue_length", List.of("service", "queue"),
            "dynamic_request_rate", List.of("service", "status_code"));
    private static final List<String> VALUES = List.of("chat", "search", "q1", "q2", "200", "500", "503", "", "svc-a",
            "99999999999999999999", "9223372036854775808", "-1", "5e2", "500.0", "500.5", "1e400", "1e-400", "NaN",
            "Infinity", "true", "10.0.0.1", "0", "00500", "a.b_c-d", "x".repeat(63), "x".repeat(64));
    private static final List<String> OPERATORS = List.of("=", "==", "!=", " in ", " notin ", "", "!");
    private static final String JUNK = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~äé漢\t";

    @TestHTTPResource("/")
    URL adapter;

    @BeforeAll
    static void indexEvents() {
        Instant now = AdjustableClock.ofRunningAdapter().freeze();
        Events events = Events.create()
                .queueSample(now.minusSeconds(10), TEAM, "chat", "q1", 4)
                .queueSample(now.minusSeconds(10), TEAM, "search", "q2", 2)
                .queueSample(now.minusSeconds(10), TEAM, "chat", null, 1)
                .requests(30, now.minusSeconds(20), TEAM, "chat", 200)
                .requests(6, now.minusSeconds(20), TEAM, "search", 500);
        events.indexInto(SharedElasticsearch.node());
        events.indexInto(SharedElasticsearch.node(), "dynamic-events-");
    }

    @Test
    void answersEveryGeneratedRequestWithValuesOrAClientErrorNeverAServerError() throws Exception {
        Random random = new Random(SEED);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        ConcurrentMap<Integer, AtomicInteger> codes = new ConcurrentHashMap<>();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String path = path(random);
            inFlight.acquire();
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(adapter.toString().replaceAll("/$", "") + path))
                            .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .thenAccept(response -> {
                        codes.computeIfAbsent(response.statusCode(), code -> new AtomicInteger()).incrementAndGet();
                        check(response).ifPresent(problem -> wrong.add(problem + ": GET " + path + " → " + response.statusCode()
                                + " " + response.body()));
                    })
                    .exceptionally(failure -> {
                        wrong.add("no answer: GET " + path + ": " + failure);
                        return null;
                    })
                    .whenComplete((ignored, failure) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

        System.out.printf("GeneratedRequestsTest: %d requests (seed %d), answers by code: %s%n", REQUESTS, SEED, new TreeMap<>(codes));
        assertThat(wrong).as("seed %d", SEED).isEmpty();
        assertThat(codes).as("the generator reaches values and client errors alike").containsKeys(200, 400, 404);
        assertThat(codes.get(200).get()).as("values").isGreaterThan(REQUESTS / 4);
    }

    /** What is wrong with an answer, if anything. */
    private static java.util.Optional<String> check(HttpResponse<String> response) {
        int code = response.statusCode();
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            return java.util.Optional.of("not JSON");
        }
        if (code == 200) {
            if (!"ExternalMetricValueList".equals(body.path("kind").asText()) || body.path("items").isEmpty()) {
                return java.util.Optional.of("200 without a non-empty ExternalMetricValueList");
            }
            for (JsonNode item : body.path("items")) {
                try {
                    Quantity.getAmountInBytes(new Quantity(item.path("value").asText()));
                } catch (RuntimeException e) {
                    return java.util.Optional.of("a value that is not a Quantity");
                }
            }
            return java.util.Optional.empty();
        }
        if (code >= 400 && code < 500) {
            boolean status = "Status".equals(body.path("kind").asText()) && body.path("code").asInt() == code
                    && "Failure".equals(body.path("status").asText()) && !body.path("reason").asText().isEmpty();
            return status ? java.util.Optional.empty() : java.util.Optional.of("a client error that is not a Status");
        }
        return java.util.Optional.of("a server error for a client's request");
    }

    private static String path(Random random) {
        String namespace = pick(random, 10) < 9 ? pick(random, List.of(TEAM, TEAM, "quiet-" + TEAM, "a", "kube-system"))
                : junk(random, 1 + random.nextInt(70));
        List<String> names = new ArrayList<>(new TreeMap<>(METRICS).keySet());
        String metric = pick(random, 20) < 17 ? pick(random, names) : junk(random, 1 + random.nextInt(30));
        String path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + segment(namespace) + "/" + segment(metric);
        if (pick(random, 5) == 0) {
            return path;
        }
        List<String> labels = METRICS.getOrDefault(metric, List.of());
        return path + "?labelSelector=" + URLEncoder.encode(selector(random, labels), StandardCharsets.UTF_8);
    }

    private static String selector(Random random, List<String> labels) {
        if (pick(random, 20) == 0) {
            return junk(random, random.nextInt(40));
        }
        int requirements = 1 + random.nextInt(2);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < requirements; i++) {
            String key = !labels.isEmpty() && pick(random, 10) < 9 ? pick(random, labels)
                    : pick(random, List.of("pod", "service.name", "a/b", "-x", "x".repeat(64), junk(random, 5)));
            String operator = pick(random, OPERATORS);
            parts.add(switch (operator) {
                case "" -> key;
                case "!" -> "!" + key;
                case " in ", " notin " -> key + operator + "(" + String.join(",", values(random)) + ")";
                default -> key + operator + value(random);
            });
        }
        return String.join(",", parts);
    }

    private static List<String> values(Random random) {
        List<String> values = new ArrayList<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            values.add(value(random));
        }
        return values;
    }

    private static String value(Random random) {
        return pick(random, 10) < 9 ? pick(random, VALUES) : junk(random, random.nextInt(12));
    }

    private static String junk(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(pick(random, 3) == 0 ? JUNK.charAt(random.nextInt(JUNK.length())) : (char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int pick(Random random, int bound) {
        return random.nextInt(bound);
    }

    private static String pick(Random random, List<String> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}

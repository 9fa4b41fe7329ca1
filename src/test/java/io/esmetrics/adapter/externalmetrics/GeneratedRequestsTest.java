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
import java.util.Collections;
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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated requests against the real Elasticsearch: random namespaces, metric names and label selectors, valid and
 * not, with values of every shape a label value can take (numbers too large for a long, empty values, names where
 * the field is numeric), and {@code explain=true} with targets and replicas of every shape (exponents BigDecimal would
 * expand, values beyond an HPA's int64, below zero, malformed). Every answer must be a value list, an explanation or a
 * client error as a {@code Status}, within {@link #ANSWER_WITHIN}: never a 5xx, which would tell the HPA the server
 * failed when the request was the problem, and never a request that holds the adapter's CPU. The seed is fixed
 * (override it with {@code -Dgenerated.seed=...}) so a failure is reproducible; the failing requests are printed.
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
    /** One request in this many explains, with an HPA target. */
    private static final int EXPLAIN_ONE_IN = 10;
    /** Targets an HPA can hold, down to one below a milli with forty million zeros (read as 1m). */
    private static final List<String> TARGETS = List.of("10", "500m", "2k", "1.5", "1Ki", "1e-40000000",
            "9223372036854775807m");
    /**
     * Targets explain must refuse with 400 BadRequest: issue 23's exponents (1e10000000 cost seconds of CPU,
     * 1e40000000 half a minute and hundreds of MB), values beyond the int64 milli-value, not above zero, malformed.
     */
    private static final List<String> REFUSED_TARGETS = List.of("1e10000000", "1e40000000", "-1e40000000",
            "1e99999999999999999999", "9223372036854775808m", "9.3e15", "8Ei", "0", "-5", "-1e-40000000", "abc", "", "1e",
            ".", "1e1.5", "١٠", "10 ", "0x10");
    private static final List<String> TARGET_TYPES = List.of("Value", "AverageValue", "averagevalue", "Utilization", "");
    private static final List<String> REPLICAS = List.of("0", "3", "2147483647", "2147483648", "99999999999", "-1", "1e3",
            "", "03", "३");
    /**
     * Every answer within this: the HPA controller's five workers serve every HPA of the cluster every 15 s, and an
     * answer that takes longer holds one of them. Ordinary answers take milliseconds.
     */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    /** A generated request, and whether the adapter must refuse it with 400 BadRequest whatever else it holds. */
    private record Generated(String path, boolean refused) {
    }

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
        AtomicLong slowestMillis = new AtomicLong();
        for (int i = 0; i < REQUESTS; i++) {
            Generated generated = generated(random);
            String path = generated.path();
            inFlight.acquire();
            long sent = System.nanoTime();
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(adapter.toString().replaceAll("/$", "") + path))
                            .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .thenAccept(response -> {
                        Duration took = Duration.ofNanos(System.nanoTime() - sent);
                        slowestMillis.accumulateAndGet(took.toMillis(), Math::max);
                        codes.computeIfAbsent(response.statusCode(), code -> new AtomicInteger()).incrementAndGet();
                        check(generated, response, took).ifPresent(problem -> wrong.add(problem + ": GET " + path + " → "
                                + response.statusCode() + " " + abbreviated(response.body())));
                    })
                    .exceptionally(failure -> {
                        wrong.add("no answer: GET " + path + ": " + failure);
                        return null;
                    })
                    .whenComplete((ignored, failure) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

        System.out.printf("GeneratedRequestsTest: %d requests (seed %d), answers by code: %s, the slowest in %d ms%n", REQUESTS,
                SEED, new TreeMap<>(codes), slowestMillis.get());
        assertThat(wrong).as("seed %d", SEED).isEmpty();
        assertThat(codes).as("the generator reaches values and client errors alike").containsKeys(200, 400, 404);
        assertThat(codes.get(200).get()).as("values").isGreaterThan(REQUESTS / 4);
    }

    /** What is wrong with an answer, if anything. */
    private static java.util.Optional<String> check(Generated generated, HttpResponse<String> response, Duration took) {
        int code = response.statusCode();
        if (took.compareTo(ANSWER_WITHIN) > 0) {
            return java.util.Optional.of("answered in " + took.toMillis() + " ms, beyond " + ANSWER_WITHIN.toMillis() + " ms");
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            return java.util.Optional.of("not JSON");
        }
        if (generated.refused() && (code != 400 || !"BadRequest".equals(body.path("reason").asText()))) {
            return java.util.Optional.of("not refused with a 400 BadRequest Status");
        }
        if (code == 200 && generated.path().contains("explain=true")) {
            boolean explanation = "ExternalMetricExplanation".equals(body.path("kind").asText()) && body.path("answer").isObject();
            return explanation ? java.util.Optional.empty() : java.util.Optional.of("200 without an ExternalMetricExplanation");
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

    private static Generated generated(Random random) {
        boolean validNamespace = pick(random, 10) < 9;
        String namespace = validNamespace ? pick(random, List.of(TEAM, TEAM, "quiet-" + TEAM, "a", "kube-system"))
                : junk(random, 1 + random.nextInt(70));
        List<String> names = new ArrayList<>(new TreeMap<>(METRICS).keySet());
        boolean knownMetric = pick(random, 20) < 17;
        String metric = knownMetric ? pick(random, names) : junk(random, 1 + random.nextInt(30));
        String path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/" + segment(namespace) + "/" + segment(metric);
        List<String> query = new ArrayList<>();
        if (pick(random, 5) != 0) {
            List<String> labels = METRICS.getOrDefault(metric, List.of());
            query.add("labelSelector=" + URLEncoder.encode(selector(random, labels), StandardCharsets.UTF_8));
        }
        boolean refusedTarget = false;
        if (pick(random, EXPLAIN_ONE_IN) == 0) {
            refusedTarget = random.nextBoolean();
            query.add("explain=true");
            query.add("target=" + encoded(pick(random, refusedTarget ? REFUSED_TARGETS : TARGETS)));
            if (random.nextBoolean()) {
                query.add("targetType=" + encoded(pick(random, TARGET_TYPES)));
            }
            if (random.nextBoolean()) {
                query.add("replicas=" + encoded(pick(random, REPLICAS)));
            }
            Collections.shuffle(query, random);
        }
        // A junk name may not reach the metric route at all (a 404): only a well-formed path must be refused.
        return new Generated(query.isEmpty() ? path : path + "?" + String.join("&", query),
                refusedTarget && validNamespace && knownMetric);
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

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviated(String body) {
        return body.length() <= 500 ? body : body.substring(0, 500) + "…";
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

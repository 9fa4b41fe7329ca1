package io.esmetrics.adapter.observability;

import static io.esmetrics.adapter.observability.EveryMeteredFeature.OWN_BUDGET_METRIC;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.esmetrics.adapter.authentication.SecurePki;
import io.esmetrics.adapter.observability.MonitoringQueries.Query;
import io.esmetrics.adapter.observability.PromQl.Grouping;
import io.esmetrics.adapter.observability.PromQl.LabelMatcher;
import io.esmetrics.adapter.observability.PromQl.Selector;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.FakeExternalMetricsProvider;
import io.esmetrics.adapter.testsupport.ProxiedElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The dashboard and the alerts read only what the adapter really exports. The adapter runs with every optional
 * feature that has meters of its own (the self-managed serving certificate and its APIService, ElasticsearchMetric
 * custom resources and their status writer, an upstream provider), takes metric requests that hit, miss, are refused
 * (400, 404, 429) and fail (503, Elasticsearch answering 503 until the circuit opens), and is scraped as Prometheus
 * scrapes it: then every metric name of every expression, every label matched or grouped on, and every label value
 * matched literally, is in that scrape.
 */
@QuarkusTest
@TestProfile(EveryMeteredFeature.class)
@WithKubernetesTestServer(crud = true, setup = EveryMeteredFeature.ClusterPrepared.class)
@WithTestResource(ProxiedElasticsearchTestResource.class)
class MonitoringQueriesTest {

    /** Labels Prometheus gives every target; the adapter's samples do not carry them. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "namespace", "pod", "instance");
    /** Series Prometheus makes itself for every target. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    /** The labels the Prometheus Operator gives every target of a ServiceMonitor. */
    private static final Set<String> OPERATOR_TARGET_LABELS = Set.of("job", "instance", "namespace", "service", "pod", "container", "endpoint");
    private static final String API = "apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final String TEAM = "monitored-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String FLOOD = TEAM + "-flood";
    private static final String FAULTY = TEAM + "-faulty";

    private static PrometheusScrape scrape;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @Test
    void readsOnlyMetricsTheAdapterExports() {
        PrometheusScrape scrape = afterTraffic();
        List<String> missing = new ArrayList<>();
        Set<String> read = new TreeSet<>();

        for (Query query : MonitoringQueries.all()) {
            for (String name : PromQl.metricNames(query.expression())) {
                read.add(name);
                if (!PROMETHEUS_SERIES.contains(name) && !scrape.has(name)) {
                    missing.add(query.source() + ": " + name);
                }
            }
        }

        assertThat(read).as("the names the queries read").hasSizeGreaterThan(30)
                .contains("up", "esmetrics_requests_seconds_bucket", "esmetrics_value_age_budget_seconds", "esmetrics_status_writer_leader",
                        "esmetrics_upstream_up", "esmetrics_apiservice_state", "esmetrics_elasticsearch_requests_rejected_total");
        assertThat(missing).as("names read but not exported").isEmpty();
    }

    @Test
    void matchesAndGroupsOnlyOnLabelsAndValuesTheMetersHave() {
        PrometheusScrape scrape = afterTraffic();
        List<String> problems = new ArrayList<>();

        for (Query query : MonitoringQueries.all()) {
            for (Selector selector : PromQl.selectors(query.expression())) {
                if (PROMETHEUS_SERIES.contains(selector.metric())) {
                    continue;
                }
                for (LabelMatcher matcher : selector.matchers()) {
                    if (TARGET_LABELS.contains(matcher.label())) {
                        continue;
                    }
                    if (!scrape.labelNames(selector.metric()).contains(matcher.label())) {
                        problems.add(query.source() + ": " + selector.metric() + " has no label " + matcher.label());
                    } else if (matcher.literal() && !matchedBySomeSample(scrape, selector.metric(), matcher)) {
                        problems.add(query.source() + ": no sample of " + selector.metric() + " has " + matcher);
                    }
                }
            }
            for (Grouping grouping : PromQl.groupings(query.expression())) {
                for (String metric : grouping.metrics()) {
                    for (String label : grouping.labels()) {
                        if (!TARGET_LABELS.contains(label) && !scrape.labelNames(metric).contains(label)) {
                            problems.add(query.source() + ": grouped by " + label + ", which " + metric + " does not have");
                        }
                    }
                }
            }
        }

        assertThat(problems).isEmpty();
    }

    /** Any target label the adapter exported would be renamed exported_<label> unless the ServiceMonitor honours them. */
    @Test
    void exportsTargetLabelsOfTheOperatorOnlyWhereTheServiceMonitorHonoursThem() throws IOException {
        PrometheusScrape scrape = afterTraffic();
        Set<String> exported = new TreeSet<>();
        scrape.names().forEach(name -> exported.addAll(scrape.labelNames(name)));
        exported.retainAll(OPERATOR_TARGET_LABELS);
        JsonNode endpoint = new ObjectMapper(new YAMLFactory())
                .readTree(MonitoringQueries.COMPONENT.resolve("servicemonitor.yaml").toFile()).path("spec").path("endpoints").get(0);

        assertThat(exported).as("an honoured job, namespace, pod or instance label would hide which replica it is")
                .doesNotContain("job", "namespace", "pod", "instance");
        if (!exported.isEmpty()) {
            assertThat(endpoint.path("honorLabels").asBoolean()).as("the adapter exports " + exported).isTrue();
        }
    }

    @Test
    void exportsEachMetricsStalenessBudgetBesideItsValueAge() {
        PrometheusScrape scrape = afterTraffic();

        assertThat(scrape.labelSets("esmetrics_value_age_seconds")).extracting(labels -> labels.get("metric"))
                .contains("queue_length", OWN_BUDGET_METRIC);
        assertThat(scrape.labelSets("esmetrics_value_age_budget_seconds")).extracting(labels -> labels.get("metric"))
                .contains("queue_length", OWN_BUDGET_METRIC)
                .doesNotContain(FakeExternalMetricsProvider.ONLY_UPSTREAM, "unknown");
        // Only this test asks for this metric: its gauge is this adapter's (the global registry outlives a test's adapter).
        assertThat(gaugeValue(OWN_BUDGET_METRIC)).isEqualTo(4.0);
    }

    /** Requests of every kind, once for all tests; then the scrape, once every meter they cause is there. */
    private synchronized PrometheusScrape afterTraffic() {
        if (scrape != null) {
            return scrape;
        }
        Instant now = Instant.now();
        Events events = Events.create()
                .queueSample(now.minusSeconds(5), TEAM, "chat", "q1", 3)
                .queueSample(now.minusSeconds(5), FAULTY, "chat", "q1", 3)
                .requests(10, now.minusSeconds(20), TEAM, "chat", 200);
        for (int i = 0; i < 10; i++) {
            events.queueSample(now.minusSeconds(5), FLOOD, "service-" + i, "q1", i);
        }
        events.indexInto(SharedElasticsearch.node());
        FakeExternalMetricsProvider.shared(SecurePki.DIR).mode(FakeExternalMetricsProvider.Mode.NORMAL);

        get(TEAM, "queue_length", "service=chat", 200); // a miss
        get(TEAM, "queue_length", "service=chat", 200); // a hit
        get(TEAM, OWN_BUDGET_METRIC, "service=chat", 200);
        get(TEAM, "request_rate", "service=chat", 200);
        get(TEAM, "queue_length", "planet=mars", 400); // a label the metric does not declare
        get(TEAM, "typo_requests", null, 503); // an index pattern that matches no index
        get(TEAM, FakeExternalMetricsProvider.ONLY_UPSTREAM, null, 200); // forwarded
        get(TEAM, "made_up_" + UUID.randomUUID().toString().substring(0, 8), null, 404); // forwarded, unknown there too
        // Distinct selectors of a metric cached per selector: beyond one series they are not kept, and beyond five
        // searches at once the namespace is over its miss limit.
        AtomicInteger service = new AtomicInteger();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> get(FLOOD, "queue_length_max", "service=service-" + service.getAndIncrement() % 10, null) == 429);

        // Elasticsearch failing (in a namespace of its own, whose miss limit the flood has not used): the last good
        // value until it is 5 s old, then 503; the circuit opens, and then refuses searches.
        get(FAULTY, "queue_length", "service=chat", 200);
        ElasticsearchProxy proxy = ProxiedElasticsearchTestResource.proxy();
        proxy.behave(new ElasticsearchProxy.Answer(503));
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> get(FAULTY, "queue_length", "service=chat", null) == 503);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> PrometheusScrape.parse(scrapeText()).has("esmetrics_elasticsearch_requests_rejected_total"));
        } finally {
            proxy.behave(new ElasticsearchProxy.Forward());
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> get(FAULTY, "queue_length", "service=chat", null) == 200);

        // Asynchronous meters: the upstream discovery, the status writer's election, the APIService check.
        Set<String> expected = new TreeSet<>();
        MonitoringQueries.all().forEach(query -> expected.addAll(PromQl.metricNames(query.expression())));
        expected.removeAll(PROMETHEUS_SERIES);
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> PrometheusScrape.parse(scrapeText()).names().containsAll(expected));
        } catch (ConditionTimeoutException e) {
            // Not this method's to fail: the tests say which names are missing, from which panel or alert.
        }
        scrape = PrometheusScrape.parse(scrapeText());
        return scrape;
    }

    /** A metric request over HTTPS (the self-managed certificate, not verified here); asserts the status unless null. */
    private int get(String namespace, String metric, String labelSelector, Integer expectedStatus) {
        var request = given().relaxedHTTPSValidation();
        if (labelSelector != null) {
            request.queryParam("labelSelector", labelSelector);
        }
        var response = request.get(https + API + namespace + "/" + metric);
        if (expectedStatus != null) {
            response.then().statusCode(expectedStatus);
        }
        return response.statusCode();
    }

    private String scrapeText() {
        return given().get(metrics).then().statusCode(200).extract().asString();
    }

    private double gaugeValue(String metric) {
        Pattern sample = Pattern.compile("(?m)^esmetrics_value_age_budget_seconds\\{metric=\"" + metric + "\"} (\\S+)$");
        var found = sample.matcher(scrapeText());
        assertThat(found.find()).as("a budget sample of " + metric).isTrue();
        return Double.parseDouble(found.group(1));
    }

    private static boolean matchedBySomeSample(PrometheusScrape scrape, String metric, LabelMatcher matcher) {
        return scrape.labelSets(metric).stream().map(labels -> labels.get(matcher.label())).filter(value -> value != null)
                .anyMatch(value -> switch (matcher.operator()) {
                    case "=" -> value.equals(matcher.value());
                    case "=~" -> value.matches(matcher.value());
                    default -> true; // a negative matcher holds for some sample or none: nothing to prove here
                });
    }
}

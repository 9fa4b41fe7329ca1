package io.esmetrics.adapter.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.local.DemoEvents;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The local profile's demo ({@code ./mvnw -Plocal}) feeds what the install's autoscalers read: every External metric
 * of every HPA in k8s/, asked with the HPA's own selector from the HPA's namespace, has a value from the demo's events,
 * with the install's metric definitions (k8s/adapter/metrics.yaml), as LocalStack runs the adapter.
 */
@QuarkusTest
@TestProfile(DemoEventsReachTheShippedAutoscalersTest.InstallDefinitions.class)
@WithTestResource(ElasticsearchTestResource.class)
class DemoEventsReachTheShippedAutoscalersTest {

    public static final class InstallDefinitions implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("adapter.rules.files", "k8s/adapter/metrics.yaml");
        }
    }

    @BeforeAll
    static void runTheDemo() {
        new DemoEvents(DemoEvents.NAMESPACE).backfill(SharedElasticsearch.node(), Instant.now());
    }

    static Stream<Named<Query>> queriesOfTheShippedAutoscalers() {
        List<Named<Query>> queries = new ArrayList<>();
        for (HorizontalPodAutoscaler hpa : Manifests.all(HorizontalPodAutoscaler.class)) {
            for (MetricSpec metric : hpa.getSpec().getMetrics()) {
                if ("External".equals(metric.getType())) {
                    Query query = new Query(hpa.getMetadata().getNamespace(), metric.getExternal().getMetric().getName(),
                            labelSelector(metric.getExternal().getMetric().getSelector()));
                    queries.add(Named.of(hpa.getMetadata().getNamespace() + "/" + hpa.getMetadata().getName() + " "
                            + query.metric() + "{" + query.selector() + "}", query));
                }
            }
        }
        return queries.stream();
    }

    @ParameterizedTest
    @MethodSource("queriesOfTheShippedAutoscalers")
    void hasAValueFromTheDemosEvents(Query query) {
        var request = given();
        if (!query.selector().isEmpty()) {
            request.queryParam("labelSelector", query.selector());
        }
        JsonPath answer = request.get("/apis/external.metrics.k8s.io/v1beta1/namespaces/" + query.namespace() + "/" + query.metric())
                .then().statusCode(200).extract().jsonPath();

        assertThat(answer.getList("items")).isNotEmpty();
        if (!query.metric().equals("elasticsearch_shards_unsettled")) { // 0 or 1 by the cluster's health, not by events
            assertThat(answer.getList("items.value", String.class)).as("a load the demo makes").anyMatch(value -> !value.equals("0"));
        }
    }

    record Query(String namespace, String metric, String selector) {
    }

    /** The selector as the HPA controller sends it, in the label selector grammar. */
    private static String labelSelector(LabelSelector selector) {
        if (selector == null) {
            return "";
        }
        List<String> requirements = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((key, value) -> requirements.add(key + "=" + value));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                requirements.add(switch (requirement.getOperator()) {
                    case "In" -> requirement.getKey() + " in (" + String.join(",", requirement.getValues()) + ")";
                    case "NotIn" -> requirement.getKey() + " notin (" + String.join(",", requirement.getValues()) + ")";
                    case "Exists" -> requirement.getKey();
                    case "DoesNotExist" -> "!" + requirement.getKey();
                    default -> throw new AssertionError("operator " + requirement.getOperator());
                });
            }
        }
        return String.join(",", requirements);
    }
}

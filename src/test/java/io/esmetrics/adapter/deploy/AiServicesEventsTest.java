package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example AI services emit their events the trusted way: JSON lines on stdout that name no identity, from pods
 * that opt in to Filebeat and name their service with the label the final pipeline reads
 * (k8s/elasticsearch/ai-events-final-pipeline.yaml), the same service their HPAs select.
 */
class AiServicesEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The keys the final pipeline refuses in a line: the namespace, pod and service come from the pod. */
    private static final Set<String> IDENTITY_KEYS = Set.of("namespace", "kubernetes", "service", "pod");
    /** An echo of a JSON object in single quotes, with shell expansions spliced in as '"$X"' or '"$((...))"'. */
    private static final Pattern ECHOED_LINE = Pattern.compile("(?m)^\\s*echo '(\\{.*})'\\s*$");
    private static final Pattern EXPANSION = Pattern.compile("'\"\\$(\\{\\w+}|\\(\\([^\"]*\\)\\))\"'");

    static Stream<Named<Deployment>> aiServices() {
        return Manifests.all(Deployment.class).stream().filter(deployment -> "ai-services".equals(deployment.getMetadata().getNamespace()))
                .map(deployment -> Named.of(deployment.getMetadata().getName(), deployment));
    }

    @ParameterizedTest
    @MethodSource("aiServices")
    void podsOptInToFilebeatAndNameTheServiceTheirAutoscalerSelects(Deployment service) {
        PodTemplateSpec pod = service.getSpec().getTemplate();
        HorizontalPodAutoscaler hpa = Manifests.get(HorizontalPodAutoscaler.class, "ai-services", service.getMetadata().getName());

        assertThat(pod.getMetadata().getLabels()).containsEntry("esmetrics.io/events", "stdout");
        assertThat(hpa.getSpec().getMetrics()).allSatisfy(metric ->
                assertThat(metric.getExternal().getMetric().getSelector().getMatchLabels())
                        .containsEntry("service", pod.getMetadata().getLabels().get("app.kubernetes.io/name")));
    }

    /** Nothing tells a pod where to send events or what to call itself: it writes to stdout, the pod says who it is. */
    @ParameterizedTest
    @MethodSource("aiServices")
    void writeEventsToStdoutFromTheEventsContainer(Deployment service) {
        List<Container> containers = service.getSpec().getTemplate().getSpec().getContainers();
        Container events = Manifests.container(service.getSpec().getTemplate().getSpec(), "events");

        assertThat(containers).flatExtracting(Container::getEnv).extracting(EnvVar::getName)
                .doesNotContain("EVENTS_URL", "SERVICE_NAME", "POD_NAMESPACE");
        assertThat(events.getCommand()).containsExactly("sh", "/scripts/emit-events.sh");
        assertThat(events.getEnv()).extracting(EnvVar::getName).contains("REQUEST_RATE");
    }

    /** chat scales on queue_length: its events container reports a backlog, the knob that scales it. */
    @Test
    void chatReportsTheBacklogItScalesOn() {
        Container events = Manifests.container(Manifests.get(Deployment.class, "ai-services", "chat").getSpec().getTemplate().getSpec(),
                "events");

        assertThat(events.getEnv()).anySatisfy(variable -> {
            assertThat(variable.getName()).isEqualTo("BACKLOG");
            assertThat(Integer.parseInt(variable.getValue())).as("below one replica's 10 items").isLessThan(10);
        });
    }

    /**
     * Each line the script can write, its expansions replaced by a number, is one the final pipeline accepts: a JSON
     * object of type queue or request, with values of the types and ranges it checks, no identity, and one Filebeat's
     * line filter lets travel.
     */
    @Test
    void emitsLinesTheFinalPipelineAccepts() throws JsonProcessingException {
        List<JsonNode> lines = emittedLines();
        Pattern travels = Pattern.compile(includeLines());

        assertThat(lines).extracting(line -> line.path("type").asText()).containsExactlyInAnyOrder("queue", "request");
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.toString().length()).isLessThanOrEqualTo(4096);
            assertThat(travels.matcher(line.toString()).find()).as(line + " passes include_lines").isTrue();
            line.fieldNames().forEachRemaining(key -> assertThat(key).isNotIn(IDENTITY_KEYS).doesNotStartWith("kubernetes.")
                    .doesNotStartWith("service."));
            assertThat(line.has("timestamp")).as("the time Filebeat reads it").isFalse();
            if (line.path("type").asText().equals("queue")) {
                assertThat(line.path("length").isNumber()).isTrue();
                assertThat(line.path("queue").asText()).isNotEmpty().hasSizeLessThanOrEqualTo(256);
            } else {
                assertThat(line.path("status_code").isInt()).isTrue();
                assertThat(line.path("status_code").asInt()).isBetween(100, 599);
                assertThat(line.path("method").asText()).matches("[A-Za-z]{1,16}");
                assertThat(line.path("duration_ms").isNumber()).isTrue();
            }
        });
    }

    private static List<JsonNode> emittedLines() throws JsonProcessingException {
        ConfigMap scripts = Manifests.get(ConfigMap.class, "ai-services", Manifests.get(Deployment.class, "ai-services", "chat")
                .getSpec().getTemplate().getSpec().getVolumes().stream().filter(volume -> volume.getConfigMap() != null)
                .findFirst().orElseThrow().getConfigMap().getName());
        Matcher echo = ECHOED_LINE.matcher(scripts.getData().get("emit-events.sh"));
        List<JsonNode> lines = new ArrayList<>();
        while (echo.find()) {
            lines.add(JSON.readTree(EXPANSION.matcher(echo.group(1)).replaceAll("7")));
        }
        return lines;
    }

    private static String includeLines() {
        ConfigMap inputs = Manifests.all(ConfigMap.class).stream().filter(map -> map.getMetadata().getName().startsWith("filebeat-inputs"))
                .findFirst().orElseThrow();
        return Manifests.yaml(inputs.getData().get("stdout-events.yml")).get(0).path("include_lines").get(0).asText();
    }
}

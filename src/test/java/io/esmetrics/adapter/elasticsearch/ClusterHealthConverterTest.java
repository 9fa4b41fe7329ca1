package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricValue;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the cluster health metric reads from {@code GET _cluster/health}, as the engines answer it. */
class ClusterHealthConverterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-23T10:52:23Z");

    @ParameterizedTest(name = "{0}, {1} relocating, {2} initializing, {3} unassigned ({4} delayed) → {5}")
    @CsvSource({
            "green,  0, 0, 0, 0, 0",
            "green,  2, 0, 0, 0, 1",
            "green,  0, 1, 0, 0, 1",
            "yellow, 0, 0, 3, 0, 1",
            "yellow, 0, 0, 3, 3, 1",
            "yellow, 0, 2, 0, 0, 1",
            "red,    0, 0, 1, 0, 1"})
    void holdsWhileACopyIsMissingOrMovingAndReleasesOnlyWhenAllAreInPlace(String status, int relocating, int initializing,
            int unassigned, int delayed, int expected) throws Exception {
        JsonNode health = JSON.readTree("""
                {"status": "%s", "relocating_shards": %d, "initializing_shards": %d, "unassigned_shards": %d,
                 "delayed_unassigned_shards": %d, "number_of_data_nodes": 2}""".formatted(status, relocating, initializing,
                unassigned, delayed));

        MetricValue value = ClusterHealthConverter.convert(health, NOW);

        assertThat(value.value()).isEqualByComparingTo(String.valueOf(expected));
        assertThat(value.labels()).isEmpty();
        assertThat(value.timestamp()).isEqualTo(NOW);
        assertThat(value.window()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"status\": \"purple\"}", "{\"status\": null, \"relocating_shards\": 0}"})
    void refusesAnAnswerWithoutAKnownStatusRatherThanReadItAsSettled(String answer) throws Exception {
        JsonNode health = JSON.readTree(answer);

        assertThatThrownBy(() -> ClusterHealthConverter.convert(health, NOW))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("elasticsearch_shards_unsettled")
                .hasMessageContaining("without a known status");
    }

    @Test
    void showsTheRequestAsAPersonWouldSendIt() {
        var request = ClusterHealthConverter.byHand(Duration.ofSeconds(5));

        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.console()).isEqualTo("GET /_cluster/health?filter_path=status,relocating_shards,initializing_shards,"
                + "unassigned_shards,delayed_unassigned_shards,number_of_data_nodes&master_timeout=5000ms");
    }
}

package io.esmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.crd.StatusFactory.Outcome;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusFactoryTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration REFRESH = Duration.ofMinutes(5);

    @Test
    void aValueMakesTheResourceReady() {
        ElasticsearchMetricStatus status = StatusFactory.next(null, 3L, new Outcome.Value("1500m"), T0);

        assertThat(status.value()).isEqualTo("1500m");
        assertThat(status.lastUpdated()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(status.observedGeneration()).isEqualTo(3L);
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Invalid").getStatus()).isEqualTo("False");
        assertThat(condition(status, "BackendError").getStatus()).isEqualTo("False");
    }

    @Test
    void anUnchangedValueIsNotRewrittenUntilTheRefreshIsDue() {
        ElasticsearchMetricStatus first = StatusFactory.next(null, 1L, new Outcome.Value("2"), T0);
        ElasticsearchMetricStatus soon = StatusFactory.next(first, 1L, new Outcome.Value("2"), T0.plusSeconds(30));
        ElasticsearchMetricStatus later = StatusFactory.next(first, 1L, new Outcome.Value("2"), T0.plusSeconds(301));

        assertThat(StatusFactory.needsWrite(null, first, T0, REFRESH)).isTrue();
        assertThat(StatusFactory.needsWrite(first, soon, T0.plusSeconds(30), REFRESH)).isFalse();
        assertThat(StatusFactory.needsWrite(first, later, T0.plusSeconds(301), REFRESH)).isTrue();
        assertThat(condition(later, "Ready").getLastTransitionTime()).isEqualTo("2026-11-23T10:00:00Z");
    }

    @Test
    void aChangedValueIsWritten() {
        ElasticsearchMetricStatus first = StatusFactory.next(null, 1L, new Outcome.Value("2"), T0);
        ElasticsearchMetricStatus next = StatusFactory.next(first, 1L, new Outcome.Value("3"), T0.plusSeconds(30));

        assertThat(StatusFactory.needsWrite(first, next, T0.plusSeconds(30), REFRESH)).isTrue();
    }

    @Test
    void aBackendErrorKeepsTheLastValueAndSaysWhy() {
        ElasticsearchMetricStatus first = StatusFactory.next(null, 1L, new Outcome.Value("2"), T0);
        ElasticsearchMetricStatus failed = StatusFactory.next(first, 1L,
                new Outcome.BackendError("Elasticsearch answered 404: no such index [x]"), T0.plusSeconds(30));

        assertThat(failed.value()).isEqualTo("2");
        assertThat(failed.lastUpdated()).isEqualTo(first.lastUpdated());
        assertThat(condition(failed, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(failed, "Ready").getLastTransitionTime()).isEqualTo("2026-11-23T10:00:30Z");
        assertThat(condition(failed, "BackendError").getStatus()).isEqualTo("True");
        assertThat(condition(failed, "BackendError").getMessage()).isEqualTo("Elasticsearch answered 404: no such index [x]");
        assertThat(StatusFactory.needsWrite(first, failed, T0.plusSeconds(30), REFRESH)).isTrue();
    }

    @Test
    void anInvalidResourceHasNoValueAndIsWrittenOnce() {
        ElasticsearchMetricStatus invalid = StatusFactory.next(null, 2L, new Outcome.Invalid("InvalidSpec", "field 'field': is required"), T0);
        ElasticsearchMetricStatus again = StatusFactory.next(invalid, 2L, new Outcome.Invalid("InvalidSpec", "field 'field': is required"),
                T0.plus(Duration.ofHours(1)));

        assertThat(invalid.value()).isNull();
        assertThat(condition(invalid, "Invalid").getReason()).isEqualTo("InvalidSpec");
        assertThat(condition(invalid, "Invalid").getMessage()).isEqualTo("field 'field': is required");
        assertThat(StatusFactory.needsWrite(invalid, again, T0.plus(Duration.ofHours(1)), REFRESH)).isFalse();
    }

    private static Condition condition(ElasticsearchMetricStatus status, String type) {
        return status.conditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }
}

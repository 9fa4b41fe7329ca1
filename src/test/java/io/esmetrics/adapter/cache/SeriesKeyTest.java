package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.selector.LabelSelector;
import org.junit.jupiter.api.Test;

class SeriesKeyTest {

    @Test
    void sharesOneKeyForSelectorsThatDifferOnlyInOrder() {
        SeriesKey one = SeriesKey.of("team-a", "queue_length", LabelSelector.parse("service=chat,queue in (b,a)"));
        SeriesKey other = SeriesKey.of("team-a", "queue_length", LabelSelector.parse("queue in (a, b), service==chat"));

        assertThat(one).isEqualTo(other);
    }

    @Test
    void keepsNamespacesAndMetricsApart() {
        LabelSelector selector = LabelSelector.parse("service=chat");

        assertThat(SeriesKey.of("team-a", "queue_length", selector))
                .isNotEqualTo(SeriesKey.of("team-b", "queue_length", selector))
                .isNotEqualTo(SeriesKey.of("team-a", "request_rate", selector));
    }
}

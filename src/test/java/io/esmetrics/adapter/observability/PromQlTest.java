package io.esmetrics.adapter.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.observability.PromQl.Grouping;
import io.esmetrics.adapter.observability.PromQl.LabelMatcher;
import io.esmetrics.adapter.observability.PromQl.Selector;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The metric names, matchers and groupings {@link PromQl} reads are those PromQL's grammar gives. */
class PromQlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // functions and aggregations are not metrics; a Grafana variable in a range is no duration
            "sum by (metric, code) (rate(esmetrics_requests_seconds_count{code=~\"5..\"}[$__rate_interval]))"
                    + " | esmetrics_requests_seconds_count",
            // a histogram's suffix is part of the name; numbers are no names
            "histogram_quantile(0.99, sum by (le) (rate(esmetrics_requests_seconds_bucket[5m]))) | esmetrics_requests_seconds_bucket",
            // binary operators between metrics, matching modifiers with their labels, keywords
            "a_total / on (job, pod) group_left (metric) b_seconds > bool 0.5 | a_total b_seconds",
            "absent(up{job=\"es-metrics-adapter\"} == 1) | up",
            "min(x_seconds) - time() < 7 * 24 * 3600 | x_seconds",
            "(sum(rate(a_total[5m])) or vector(0)) unless ignoring(code) b_total offset 1h | a_total b_total",
            // a label value that looks like a metric name, or holds braces, is no name
            "c_total{metric=\"d_total\", path=~\"{x}\"} | c_total",
            // scientific notation and durations are numbers
            "e_seconds > 1e3 and e_seconds offset 5m < Inf | e_seconds",
            "sum without (pod) (f:recorded:rate5m) | f:recorded:rate5m",
    })
    void readsTheMetricNamesOfAnExpression(String expression, String names) {
        assertThat(PromQl.metricNames(expression)).containsExactlyInAnyOrder(names.trim().split(" "));
    }

    @Test
    void tellsNamesReadWithoutMatchers() {
        assertThat(PromQl.namesWithoutMatchers("a_total{job=\"x\"} / on (pod) b_total + sum(c_total {}) - rate(d_total[5m])"))
                .containsExactlyInAnyOrder("b_total", "d_total");
    }

    @Test
    void readsEveryMatcherOfEverySelector() {
        List<Selector> selectors = PromQl.selectors(
                "a_total{job=\"$job\", code=~\"5..\"} / b_total{result!=\"hit\",le!~\"+Inf\"} + c_total{}");

        assertThat(selectors).containsExactly(
                new Selector("a_total", List.of(new LabelMatcher("job", "=", "$job"), new LabelMatcher("code", "=~", "5.."))),
                new Selector("b_total", List.of(new LabelMatcher("result", "!=", "hit"), new LabelMatcher("le", "!~", "+Inf"))),
                new Selector("c_total", List.of()));
        assertThat(selectors.get(0).matchers()).extracting(LabelMatcher::literal).containsExactly(false, true);
    }

    @Test
    void refusesMatchersItCannotRead() {
        assertThatThrownBy(() -> PromQl.selectors("a_total{code=5}")).hasMessageContaining("{code=5}");
    }

    @Test
    void readsWhatEachGroupingAggregates() {
        List<Grouping> groupings = PromQl.groupings(
                "sum by (metric, code) (rate(a_total{x=\")\"}[5m])) / max by (pod) (b_seconds * on (pod) c_seconds) + d_total");

        assertThat(groupings).containsExactly(
                new Grouping(List.of("metric", "code"), Set.of("a_total")),
                new Grouping(List.of("pod"), Set.of("b_seconds", "c_seconds")));
    }
}

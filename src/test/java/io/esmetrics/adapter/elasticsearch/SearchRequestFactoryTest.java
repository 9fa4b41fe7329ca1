package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.rules.MetricDefinitionsParser;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.testsupport.GoldenFiles;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each case in {@code src/test/resources/SearchRequestFactoryTest/<case>/}: {@code metrics.yaml} (one metric),
 * optional {@code selector.txt}, {@code after.json} and {@code watermark.txt} (the pipeline's watermark, an instant),
 * and the {@code expected-request.json}; with a {@code namespaces.txt} (namespaces separated by white space), the
 * search across those namespaces.
 */
class SearchRequestFactoryTest {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final GoldenFiles GOLDEN = GoldenFiles.of(SearchRequestFactoryTest.class);
    private final SearchRequestFactory factory = new SearchRequestFactory(Duration.ofSeconds(5), 1000);

    @TestFactory
    Stream<DynamicTest> buildsTheExpectedSearch() {
        return GOLDEN.cases().stream().map(testCase -> DynamicTest.dynamicTest(testCase, () -> {
            MetricRule rule = onlyRule(GOLDEN.read(testCase, "metrics.yaml"));
            LabelSelector selector = LabelSelector.parse(GOLDEN.readIfPresent(testCase, "selector.txt").orElse("").strip());
            var after = GOLDEN.readIfPresent(testCase, "after.json").map(json -> GOLDEN.readJson(testCase, "after.json"));

            var namespaces = GOLDEN.readIfPresent(testCase, "namespaces.txt").map(text -> List.of(text.strip().split("\\s+")));
            var watermark = GOLDEN.readIfPresent(testCase, "watermark.txt").map(text -> Instant.parse(text.strip()));
            ValueTime at = ValueTime.of(rule, NOW, watermark);

            SearchRequest request = namespaces.isPresent()
                    ? factory.createAcrossNamespaces(rule, ResolvedFields.AS_DECLARED, namespaces.get(), at, after)
                    : factory.create(rule, ResolvedFields.AS_DECLARED, "team-a", selector, at, after);

            assertThat(request.indexPattern()).isEqualTo(rule.indexPattern());
            GOLDEN.assertJson(testCase, "expected-request.json", request.body());
        }));
    }

    @Test
    void passesLabelValuesAsTermValuesNeverAsQuerySyntax() {
        MetricRule rule = onlyRule("metrics:\n  m:\n    indexPattern: a\n    aggregation: count\n    labels: {service: service.name}\n");
        LabelSelector selector = LabelSelector.parse("service in (a.b, c_d-e)");

        SearchRequest request = factory.create(rule, ResolvedFields.AS_DECLARED, "team-a", selector,
                ValueTime.of(rule, NOW, Optional.empty()), Optional.empty());

        assertThat(request.body().at("/query/bool/filter/2/terms/service.name").toString()).isEqualTo("[\"a.b\",\"c_d-e\"]");
    }

    @Test
    void looksUpTheWatermarkWithinTheLookbackAndNoFurtherAheadThanTheProducersClockSkew() {
        EventIndices indices = new EventIndices("ai-events-*", "@timestamp");

        SearchRequest request = factory.newestEvent(indices, NOW, Duration.ofHours(1), Duration.ofSeconds(10), "event.ingested");

        assertThat(request.body().at("/query/range/@timestamp/gte").asLong()).isEqualTo(NOW.minusSeconds(3600).toEpochMilli());
        assertThat(request.body().at("/query/range/@timestamp/lte").asLong()).isEqualTo(NOW.plusSeconds(10).toEpochMilli());
        assertThat(request.body().at("/aggs/newest/max/field").asText()).isEqualTo("@timestamp");
        assertThat(request.body().at("/aggs/arrived/max/field").asText()).isEqualTo("event.ingested");
    }

    static MetricRule onlyRule(String yaml) {
        List<MetricRule> rules = MetricDefinitionsParser.parse("golden", yaml);
        assertThat(rules).hasSize(1);
        return rules.get(0);
    }
}

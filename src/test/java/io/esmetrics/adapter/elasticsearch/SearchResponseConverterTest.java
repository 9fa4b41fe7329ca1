package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.testsupport.GoldenFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each case in {@code src/test/resources/SearchResponseConverterTest/<case>/}: {@code metrics.yaml},
 * the Elasticsearch {@code response.json}, and either {@code expected-values.json} or {@code expected-error.txt}
 * (a fragment of the message). Pages hold 2 series, so a full page asks for the next.
 */
class SearchResponseConverterTest {

    private static final GoldenFiles GOLDEN = GoldenFiles.of(SearchResponseConverterTest.class);
    private static final int PAGE_SIZE = 2;

    @TestFactory
    Stream<DynamicTest> convertsOrRefusesTheResponse() {
        return GOLDEN.cases().stream().map(testCase -> DynamicTest.dynamicTest(testCase, () -> {
            MetricRule rule = SearchRequestFactoryTest.onlyRule(GOLDEN.read(testCase, "metrics.yaml"));
            var response = GOLDEN.readJson(testCase, "response.json");

            var expectedError = GOLDEN.readIfPresent(testCase, "expected-error.txt");
            if (expectedError.isPresent()) {
                assertThatThrownBy(() -> SearchResponseConverter.convert(rule, response,
                        ValueTime.of(rule, SearchRequestFactoryTest.NOW, Optional.empty()), PAGE_SIZE))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining(expectedError.get().strip());
                return;
            }
            SearchResponseConverter.Page page = SearchResponseConverter.convert(rule, response,
                    ValueTime.of(rule, SearchRequestFactoryTest.NOW, Optional.empty()), PAGE_SIZE);

            Map<String, Object> actual = new LinkedHashMap<>();
            actual.put("values", page.values().stream().map(SearchResponseConverterTest::describe).toList());
            if (!page.namespaces().isEmpty()) {
                actual.put("namespaces", page.namespaces());
            }
            actual.put("afterKey", page.afterKey().orElse(null));
            GOLDEN.assertJson(testCase, "expected-values.json", actual);
        }));
    }

    private static Map<String, Object> describe(MetricValue value) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("labels", new TreeMap<>(value.labels()));
        described.put("value", value.value().stripTrailingZeros().toPlainString());
        described.put("timestamp", value.timestamp().toString());
        described.put("windowSeconds", value.window().map(w -> w.toSeconds()).orElse(null));
        return described;
    }

}

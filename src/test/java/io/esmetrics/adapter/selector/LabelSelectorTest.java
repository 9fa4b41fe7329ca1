package io.esmetrics.adapter.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "   " })
    void absentSelectorMatchesEverything(String selector) {
        assertThat(LabelSelector.parse(selector).isEmpty()).isTrue();
    }

    @Test
    void parsesEveryOperatorOfTheKubernetesGrammar() {
        LabelSelector selector = LabelSelector.parse(
                "a=1, b==2,c!=3, d in (x, y), e notin (z), f, !g, example.com/h=v");

        assertThat(selector.requirements()).containsExactly(
                new Requirement("a", Operator.EQUALS, List.of("1")),
                new Requirement("b", Operator.EQUALS, List.of("2")),
                new Requirement("c", Operator.NOT_EQUALS, List.of("3")),
                new Requirement("d", Operator.IN, List.of("x", "y")),
                new Requirement("e", Operator.NOT_IN, List.of("z")),
                new Requirement("f", Operator.EXISTS, List.of()),
                new Requirement("g", Operator.DOES_NOT_EXIST, List.of()),
                new Requirement("example.com/h", Operator.EQUALS, List.of("v")));
    }

    @Test
    void acceptsEmptyValueAsKubernetesDoes() {
        assertThat(LabelSelector.parse("a=").requirements())
                .containsExactly(new Requirement("a", Operator.EQUALS, List.of("")));
    }

    @Test
    void acceptsSetsWithoutSpaces() {
        assertThat(LabelSelector.parse("queue in(q1,q2)").requirements())
                .containsExactly(new Requirement("queue", Operator.IN, List.of("q1", "q2")));
    }

    @Test
    void pinnedLabelsAreTheSingleValuedEqualities() {
        LabelSelector selector = LabelSelector.parse("a=1,b in (2),c in (3,4),d!=5,e");

        assertThat(selector.pinnedLabels()).isEqualTo(Map.of("a", "1", "b", "2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "a in ()", "a in (x", "a in x", "a notin", "=b", "a=b=c", "a b", ",", "a,", "a,,b",
            "!", "!a=b", "a=(b)", "-a=b", "a-=b", "a=-b", "a=b c", "a>1", "a<1", "a/b/c=d", "Example.com/a=b",
            "a=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=v", "a=b;c", "a=\"b\"", "a in (x,(y))" })
    void rejectsMalformedSelectorsWithTheirText(String text) {
        assertThatThrownBy(() -> LabelSelector.parse(text))
                .isInstanceOf(InvalidLabelSelectorException.class)
                .hasMessageContaining("invalid label selector \"" + text + "\"");
    }

    @Test
    void printsBackInKubernetesSyntax() {
        assertThat(LabelSelector.parse("a = 1, b notin (x,y), !c").toString()).isEqualTo("a=1,b notin (x,y),!c");
    }

    /** A series of {@code request_rate}: status code 500, no {@code queue} field at all. */
    private static final Map<String, String> SERIES = Map.of("service", "chat", "status_code", "500");

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "service=chat; true",
            "service==chat; true",
            "service=search; false",
            "service!=search; true",
            "service!=chat; false",
            "service in (search,chat); true",
            "service in (search,ocr); false",
            "service notin (search,ocr); true",
            "service notin (search,chat); false",
            "service; true",
            "!service; false",
            "queue=q1; false",
            "queue in (q1,q2); false",
            "queue!=q1; true",
            "queue notin (q1); true",
            "queue; false",
            "!queue; true",
            "queue=; false",
            "service=chat,status_code=500; true",
            "service=chat,status_code=404; false",
            "service=chat,!queue,status_code notin (404); true" })
    void matchesSeriesLabelsAsKubernetesMatchesObjectLabels(String selector, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(SERIES)).isEqualTo(expected);
    }

    @Test
    void emptySelectorMatchesEverySeries() {
        assertThat(LabelSelector.everything().matches(Map.of())).isTrue();
        assertThat(LabelSelector.everything().matches(SERIES)).isTrue();
    }

    @Test
    void emptyValueMatchesOnlyAnEmptyLabelNotAMissingOne() {
        assertThat(LabelSelector.parse("queue=").matches(Map.of("queue", ""))).isTrue();
        assertThat(LabelSelector.parse("queue=").matches(Map.of())).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "status_code=500, 500, true",
            "status_code=500, 500.0, true",
            "status_code in (1), 1.0, true",
            "status_code=1.50, 1.5, true",
            "status_code=1e3, 1000, true",
            "status_code=500, 501, false",
            "status_code!=500, 500.0, false",
            "status_code notin (1), 1.0, false",
            "status_code=1.5, 1, false" })
    void comparesNumbersByValueAsElasticsearchComparesNumericFields(String selector, String value, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(Map.of("status_code", value))).isEqualTo(expected);
    }

    @Test
    void comparesOtherValuesAsExactStrings() {
        assertThat(LabelSelector.parse("service=chat").matches(Map.of("service", "Chat"))).isFalse();
        assertThat(LabelSelector.parse("service=v1").matches(Map.of("service", "v1.0"))).isFalse();
    }
}

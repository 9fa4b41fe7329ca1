package io.esmetrics.adapter.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.esmetrics.adapter.externalmetrics.InvalidRequestException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The HPA controller's arithmetic (kube-controller-manager's replica calculator), without an HPA. */
class HpaProjectionTest {

    /** Far above what reading a quantity from its text costs, far below what expanding its exponent does. */
    private static final Duration QUICKLY = Duration.ofSeconds(2);

    private static List<BigDecimal> values(String... values) {
        return Stream.of(values).map(BigDecimal::new).toList();
    }

    private static HpaProjection project(String target, String type, String replicas, String... values) {
        return HpaProjection.of(HpaTarget.from(target, type, replicas).orElseThrow(), values(values));
    }

    @ParameterizedTest(name = "AverageValue {0} over {1} replicas, items {2}: {3} replicas")
    @CsvSource(delimiter = '|', textBlock = """
            10   | 3 | 25          | 3
            10   | 3 | 40          | 4
            10   | 3 | 12 ; 13     | 3
            10   | 2 | 31          | 4
            4    | 2 | 5 ; 2 ; 4   | 3
            500m | 4 | 0.0001      | 1
            10   | 5 | 0           | 0
            10   | 0 | 25          | 3
            """)
    void computesAverageValueTargetsAsTheHpaDoes(String target, String replicas, String items, int desired) {
        HpaProjection projection = project(target, "AverageValue", replicas, items.split("\\s*;\\s*"));

        assertThat(projection.desiredReplicas()).isEqualTo(desired);
    }

    @ParameterizedTest(name = "Value {0} with {1} ready replicas, total {2}: {3} replicas")
    @CsvSource(delimiter = '|', textBlock = """
            10 | 3 | 10.5 | 3
            10 | 3 | 20   | 6
            10 | 4 | 5    | 2
            10 | 0 | 25   | 3
            """)
    void computesValueTargetsAsTheHpaDoes(String target, String replicas, String total, int desired) {
        assertThat(project(target, "Value", replicas, total).desiredReplicas()).isEqualTo(desired);
    }

    @Test
    void keepsTheCurrentCountWithinTheTolerance() {
        HpaProjection projection = project("10", "AverageValue", "3", "32");

        assertThat(projection.desiredReplicas()).isEqualTo(3);
        assertThat(projection.usageRatio()).isCloseTo(32.0 / 30, Offset.offset(1e-9));
        assertThat(projection.averagePerReplica()).isEqualTo("10.667");
        assertThat(projection.why()).contains("within the 10% tolerance").contains("keeps 3 replicas");
    }

    /** The HPA compares float64s: 11 / (5 × 2) is 1.1000000000000001, just beyond 10%, and so it scales. */
    @Test
    void comparesWithTheToleranceInFloatingPointAsTheHpaDoes() {
        assertThat(project("5", "AverageValue", "2", "11").desiredReplicas()).isEqualTo(3);
    }

    /** The HPA reads MilliValue(): 0.0001 is 1m, and three of them are 3m, not 0.3m rounded once. */
    @Test
    void roundsEachItemUpToTheMilliBeforeAddingThem() {
        HpaProjection projection = project("1m", "AverageValue", null, "0.0001", "0.0001", "0.0001");

        assertThat(projection.total()).isEqualTo("0.003");
        assertThat(projection.desiredReplicas()).isEqualTo(3);
    }

    @Test
    void withoutReplicasSaysTheToleranceIsNotApplied() {
        HpaProjection projection = project("10", null, null, "25");

        assertThat(projection.targetType()).isEqualTo("AverageValue");
        assertThat(projection.desiredReplicas()).isEqualTo(3);
        assertThat(projection.currentReplicas()).isNull();
        assertThat(projection.why()).contains("give replicas");
    }

    @Test
    void aFailingRequestLeavesTheHpaWithoutADesiredCount() {
        HpaProjection projection = HpaProjection.failing(HpaTarget.from("10", null, "3").orElseThrow(), 503, "ServiceUnavailable");

        assertThat(projection.desiredReplicas()).isNull();
        assertThat(projection.why()).contains("503 ServiceUnavailable").contains("FailedGetExternalMetric")
                .contains("never down");
    }

    /** Each item fits a Quantity (below 9.2e15), their sum does not: no 500, the reason instead. */
    @Test
    void refusesToAddItemsBeyondTheHpasInt64() {
        HpaProjection projection = project("10", null, "3", "9e15", "9e15");

        assertThat(projection.desiredReplicas()).isNull();
        assertThat(projection.why()).contains("overflow");
    }

    @Test
    void staleValuesSayHowLongTheyRemain() {
        HpaProjection projection = project("10", null, "3", "25").servedStale(Duration.ofSeconds(40));

        assertThat(projection.why()).contains("within 40s");
    }

    @ParameterizedTest(name = "target={0}")
    @ValueSource(strings = { "abc", "", "0", "-5", "10x", "1e", "١٠", "-1e-10000000", "1e1.5", "." })
    void refusesATargetThatIsNotAPositiveQuantity(String target) {
        assertThatThrownBy(() -> HpaTarget.from(target, null, null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("invalid target");
    }

    @Test
    void acceptsQuantitySuffixes() {
        assertThat(HpaTarget.from("1.5k", null, null).orElseThrow().milli()).isEqualTo(1_500_000);
        assertThat(HpaTarget.from("250m", null, null).orElseThrow().milli()).isEqualTo(250);
        assertThat(HpaTarget.from("1Ki", null, null).orElseThrow().milli()).isEqualTo(1_024_000);
    }

    /**
     * The attack of issue 23: a target whose exponent BigDecimal expands took seconds of CPU (1e10000000) or half a
     * minute and hundreds of MB (1e40000000) per request. Refused from its text, at once.
     */
    @ParameterizedTest(name = "target={0}")
    @ValueSource(strings = { "1e10000000", "1e40000000", "-1e40000000", "1e99999999999999999999", "9223372036854775808m",
            "9.3e15", "8Ei", "10000000000000000000000000000000000000000" })
    void refusesATargetBeyondWhatAnHpaCanHoldAtOnce(String target) {
        assertThatThrownBy(() -> assertTimeoutPreemptively(QUICKLY, () -> HpaTarget.from(target, null, "3")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("invalid target").hasMessageContaining("beyond what an HPA can hold");
    }

    @Test
    void acceptsTheLargestTargetAnHpaCanHold() {
        assertThat(HpaTarget.from("9223372036854775807m", null, null).orElseThrow().milli()).isEqualTo(Long.MAX_VALUE);
        assertThat(HpaTarget.from("9.2e15", null, null).orElseThrow().milli()).isEqualTo(9_200_000_000_000_000_000L);
    }

    /** The HPA reads a target below a milli as 1m: so does the projection, without expanding ten million zeros. */
    @Test
    void readsATargetBelowAMilliAsOneMilliAtOnce() {
        HpaProjection projection = assertTimeoutPreemptively(QUICKLY,
                () -> project("1e-10000000", null, "3", "0.003"));

        assertThat(projection.desiredReplicas()).isEqualTo(3);
    }

    /** A provider's items are read as milli-values; two within range may still overflow the HPA's sum. */
    @Test
    void refusesToAddMilliValuesBeyondTheHpasInt64() {
        HpaProjection projection = HpaProjection.ofMilliValues(HpaTarget.from("10", null, "3").orElseThrow(),
                List.of(Long.MAX_VALUE, 1L));

        assertThat(projection.desiredReplicas()).isNull();
        assertThat(projection.why()).contains("overflow");
    }

    /** An item of Elasticsearch's whose exponent is huge is judged without being expanded. */
    @Test
    void projectsItemsOfAnyExponentAtOnce() {
        HpaProjection tiny = assertTimeoutPreemptively(QUICKLY, () -> project("1m", null, null, "1e-999999999"));
        HpaProjection huge = assertTimeoutPreemptively(QUICKLY, () -> project("1m", null, null, "1e999999999"));

        assertThat(tiny.total()).isEqualTo("0.001");
        assertThat(huge.why()).contains("overflow");
    }

    @Test
    void refusesWhatAnHpaCannotHold() {
        assertThatThrownBy(() -> HpaTarget.from("10", "Utilization", null)).hasMessageContaining("Value or AverageValue");
        assertThatThrownBy(() -> HpaTarget.from("10", "Value", null)).hasMessageContaining("give replicas");
        assertThatThrownBy(() -> HpaTarget.from("10", null, "-1")).hasMessageContaining("invalid replicas");
        assertThatThrownBy(() -> HpaTarget.from("10", null, "99999999999")).hasMessageContaining("invalid replicas");
        assertThatThrownBy(() -> HpaTarget.from(null, "Value", "3")).hasMessageContaining("give target");
    }

    @Test
    void noTargetNoProjection() {
        assertThat(HpaTarget.from(null, null, null)).isEmpty();
    }
}

package io.esmetrics.adapter.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.cache.SeriesKey;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.Activation;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.testsupport.AdjustableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The memory of one replica, with the time moved by the test: transitions are decided on the total of the values
 * served, only inactive answers are remembered, an answer nobody reads is forgotten (and so reads as active), and
 * explaining changes nothing. Threshold 5, lower bound 2, forgotten after 2 minutes without a read.
 */
class ActivationsTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration FORGET_AFTER = Duration.ofMinutes(2);
    private static final Activation BOUNDS = new Activation(5.0, 2.0);
    private static final SeriesKey CHAT = key("team-a", "service=chat");

    private final AdjustableClock clock = new AdjustableClock();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private Activations activations;

    @BeforeEach
    void memoryOfOneReplica() {
        clock.set(T0);
        activations = new Activations(FORGET_AFTER, 1000, clock, registry);
    }

    @Test
    void residualValuesBelowTheThresholdReadZeroOnceInactive() {
        assertThat(total(serve(CHAT, 1))).as("below deactivateBelow: inactive").isZero();
        assertThat(total(serve(CHAT, 4))).as("a residual value between the bounds keeps it inactive").isZero();
        assertThat(total(serve(CHAT, 4.999))).isZero();
    }

    @Test
    void aValueAtTheThresholdReadsThroughThenStaysActiveBetweenTheBounds() {
        serve(CHAT, 0);

        assertThat(total(serve(CHAT, 5))).isEqualByComparingTo("5");
        assertThat(total(serve(CHAT, 3))).as("between the bounds: still active").isEqualByComparingTo("3");
        assertThat(total(serve(CHAT, 2))).as("at deactivateBelow: not below it").isEqualByComparingTo("2");
        assertThat(total(serve(CHAT, 1.999))).as("below deactivateBelow").isZero();
    }

    /** A replica that just started, or forgot the answer, lets a value between the bounds through. */
    @Test
    void anAnswerWithoutStateIsActive() {
        assertThat(total(serve(CHAT, 3))).isEqualByComparingTo("3");
        assertThat(activations.holdsInactive(CHAT)).isFalse();
    }

    /** The HPA adds the items up, so the bounds are compared with their total, not with each series. */
    @Test
    void decidesOnTheTotalOfTheItemsAndZeroesEachWhileInactive() {
        serve(CHAT, 0);

        List<MetricValue> woken = serve(CHAT, 3, 3);
        List<MetricValue> asleep = serve(CHAT, 1, 0.5);

        assertThat(woken).extracting(value -> value.value().doubleValue()).containsExactly(3.0, 3.0);
        assertThat(asleep).extracting(value -> value.value().doubleValue()).containsExactly(0.0, 0.0);
        assertThat(asleep).extracting(MetricValue::labels).containsExactly(Map.of("queue", "q0"), Map.of("queue", "q1"));
        assertThat(asleep).extracting(MetricValue::timestamp).containsOnly(T0);
        assertThat(asleep).extracting(MetricValue::window).containsOnly(Optional.of(Duration.ofMinutes(1)));
    }

    @Test
    void keepsAStatePerAnswerWithSelectorsNormalized() {
        serve(CHAT, 1);

        assertThat(total(serve(key("team-a", "service=search"), 3))).as("another selector").isEqualByComparingTo("3");
        assertThat(total(serve(key("team-b", "service=chat"), 3))).as("another namespace").isEqualByComparingTo("3");
        assertThat(total(serve(key("team-a", "queue in (b,a),service=chat"), 1))).isZero();
        assertThat(activations.holdsInactive(key("team-a", "service=chat,queue in (a,b)"))).as("the same selector, written otherwise")
                .isTrue();
    }

    @Test
    void forgetsAnAnswerNobodyReadsSoThatItReadsAsActive() {
        serve(CHAT, 1);

        clock.advance(FORGET_AFTER.minusMillis(1));
        assertThat(total(serve(CHAT, 3))).as("read within the idle time: still inactive, and the read counts").isZero();
        clock.advance(FORGET_AFTER.minusMillis(1));
        assertThat(total(serve(CHAT, 3))).as("still within the idle time since the last read").isZero();
        clock.advance(FORGET_AFTER.plusMillis(1));
        assertThat(total(serve(CHAT, 3))).as("forgotten: an answer without state is active").isEqualByComparingTo("3");
    }

    @Test
    void holdsAtMostTheBoundOfInactiveAnswers() {
        activations = new Activations(FORGET_AFTER, 10, clock, registry);

        for (int i = 0; i < 100; i++) {
            serve(key("flood", "service=s" + i), 0);
        }

        assertThat(registry.get("esmetrics.activation.inactive").gauge().value()).isLessThanOrEqualTo(10);
    }

    @Test
    void explainingChangesNoStateAndDoesNotCountAsARead() {
        serve(CHAT, 1);
        clock.advance(Duration.ofMinutes(1));

        Activations.Explained woken = activations.explain(CHAT, BOUNDS, values(6));
        Activations.Explained between = activations.explain(CHAT, BOUNDS, values(3));

        assertThat(woken.remembered()).isEqualTo(ActivationState.INACTIVE);
        assertThat(woken.state()).isEqualTo(ActivationState.ACTIVE);
        assertThat(total(woken.served())).isEqualByComparingTo("6");
        assertThat(between.state()).isEqualTo(ActivationState.INACTIVE);
        assertThat(between.inactiveSince()).contains(T0);
        assertThat(total(between.served())).isZero();
        assertThat(activations.holdsInactive(CHAT)).as("explaining a value at the threshold woke nothing").isTrue();
        clock.advance(Duration.ofMinutes(1).plusMillis(1));
        assertThat(activations.holdsInactive(CHAT)).as("explaining is no read: forgotten 2m after the last read").isFalse();
    }

    @Test
    void countsEachTransitionByMetric() {
        serve(CHAT, 3);
        serve(CHAT, 1);
        serve(CHAT, 1);
        serve(CHAT, 4);
        serve(CHAT, 7);
        serve(CHAT, 3);

        assertThat(registry.get("esmetrics.activation.transitions").tags("metric", "queue_length", "to", "inactive")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("esmetrics.activation.transitions").tags("metric", "queue_length", "to", "active")
                .counter().count()).isEqualTo(1);
    }

    /** A total beyond what an int64 of thousandths holds is at or above any threshold, as it is for the HPA's sum. */
    @Test
    void aTotalBeyondTheMilliValueRangeStopsAtItsEnd() {
        assertThat(Activations.millis(values(9e15, 9e15))).isEqualTo(Long.MAX_VALUE);
        assertThat(Activations.millis(List.of(value(new BigDecimal("1e40"), 0)))).isEqualTo(Long.MAX_VALUE);
        assertThat(Activations.millis(List.of(value(new BigDecimal("-1e40"), 0)))).isEqualTo(Long.MIN_VALUE);
        assertThat(Activations.millis(values(0.0001))).as("below a milli rounds up, as the HPA reads it").isEqualTo(1);
    }

    private List<MetricValue> serve(SeriesKey key, double... values) {
        return activations.served(key, BOUNDS, values(values));
    }

    private static List<MetricValue> values(double... values) {
        return IntStream.range(0, values.length)
                .mapToObj(i -> value(BigDecimal.valueOf(values[i]), i)).toList();
    }

    private static MetricValue value(BigDecimal value, int queue) {
        return new MetricValue("queue_length", Map.of("queue", "q" + queue), value, T0, Optional.of(Duration.ofMinutes(1)));
    }

    private static BigDecimal total(List<MetricValue> values) {
        return values.stream().map(MetricValue::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static SeriesKey key(String namespace, String selector) {
        return SeriesKey.of(namespace, "queue_length", LabelSelector.parse(selector));
    }
}

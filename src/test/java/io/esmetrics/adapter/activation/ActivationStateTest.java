package io.esmetrics.adapter.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.rules.Activation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The state machine on its own, with a threshold of 5 and a lower bound of 2 (totals in thousandths, as the HPA reads
 * them): at or above the threshold active, below the lower bound inactive, between the two the state it had.
 */
class ActivationStateTest {

    private static final Activation BOUNDS = new Activation(5.0, 2.0);

    @ParameterizedTest(name = "{0} reading {1}m → {2}")
    @CsvSource({
            // from inactive: only the threshold wakes it
            "INACTIVE, 0,     INACTIVE",
            "INACTIVE, 1999,  INACTIVE",
            "INACTIVE, 2000,  INACTIVE",
            "INACTIVE, 4999,  INACTIVE",
            "INACTIVE, 5000,  ACTIVE",
            "INACTIVE, 9000,  ACTIVE",
            // from active (also: no state): only falling below the lower bound puts it to sleep
            "ACTIVE,   9000,  ACTIVE",
            "ACTIVE,   4999,  ACTIVE",
            "ACTIVE,   2000,  ACTIVE",
            "ACTIVE,   1999,  INACTIVE",
            "ACTIVE,   0,     INACTIVE",
            "ACTIVE,   -1000, INACTIVE",
    })
    void movesOnlyWhenAValueCrossesTheBoundOfItsState(ActivationState from, long millis, ActivationState to) {
        assertThat(from.after(BOUNDS, millis)).isEqualTo(to);
    }

    @ParameterizedTest(name = "threshold {0}, deactivateBelow {1}: {2}m activates {3}, deactivates {4}")
    @CsvSource({
            "0.5,   0.1,   500,  true,  false",
            "0.5,   0.1,   499,  false, false",
            "0.5,   0.1,   99,   false, true",
            "0.0015, 0.0005, 2, true,  false",
            "0.0015, 0.0005, 1, false, false",
            "1,     0,     0,    false, false",
    })
    void comparesFractionalBoundsWithTheMilliValueExactly(double threshold, double deactivateBelow, long millis,
            boolean reached, boolean fallenBelow) {
        Activation bounds = new Activation(threshold, deactivateBelow);

        assertThat(bounds.reachedBy(millis)).as("reached").isEqualTo(reached);
        assertThat(bounds.fallenBelowBy(millis)).as("fallen below").isEqualTo(fallenBelow);
    }
}

package io.esmetrics.adapter.activation;

import io.esmetrics.adapter.rules.Activation;
import java.util.Locale;

/**
 * Whether an answer of a metric with an {@link Activation} reads its value or 0: the state machine of docs/design.md,
 * "Scale to zero without flapping". An answer a replica has no state of is {@link #ACTIVE}: a wrong scale to zero drops
 * traffic, a spurious scale-up costs one pod.
 */
public enum ActivationState {
    /** The answer reads its value. */
    ACTIVE,
    /** The answer reads 0. */
    INACTIVE;

    /**
     * The state after the answer read a total of {@code millis} thousandths: active at or above the threshold, inactive
     * below the deactivation bound, unchanged between the two.
     */
    public ActivationState after(Activation bounds, long millis) {
        if (bounds.reachedBy(millis)) {
            return ACTIVE;
        }
        if (bounds.fallenBelowBy(millis)) {
            return INACTIVE;
        }
        return this;
    }

    /** As meters and explanations write it. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package io.esmetrics.adapter.rules;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.math.BigDecimal;

/**
 * A metric's activation threshold with hysteresis, for HPAs that scale to zero (docs/design.md, "Scale to zero without
 * flapping"): at or above {@code threshold} an answer becomes active and reads its value; below {@code deactivateBelow}
 * it becomes inactive and reads 0; between the two it keeps its state. Compared with the answer's total as the HPA reads
 * it (the sum of its items' milli-values). Part of {@link MetricDefinition}, so its annotations are the CRD's schema too.
 */
// Read and written by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
// double(): the API server types both as numbers, but a JSON integer and a fraction compare only as one type in CEL.
@ValidationRule(value = "!has(self.threshold) || !has(self.deactivateBelow) "
        + "|| double(self.deactivateBelow) < double(self.threshold)",
        message = "activation.deactivateBelow must be less than activation.threshold: between the two an answer keeps its "
                + "state, which is what stops it flapping")
public record Activation(
        @Required
        @Min(0)
        @JsonPropertyDescription("At or above this value (the total the HPA reads for its selector) the answer becomes "
                + "active and reads its value.")
        Double threshold,

        @Required
        @Min(0)
        @JsonPropertyDescription("Below this value an active answer becomes inactive and reads 0; less than threshold.")
        Double deactivateBelow) {

    /** Whether a total of {@code millis} thousandths is at or above the threshold. */
    public boolean reachedBy(long millis) {
        return BigDecimal.valueOf(millis).compareTo(thousandths(threshold)) >= 0;
    }

    /** Whether a total of {@code millis} thousandths is below the deactivation bound. */
    public boolean fallenBelowBy(long millis) {
        return BigDecimal.valueOf(millis).compareTo(thousandths(deactivateBelow)) < 0;
    }

    private static BigDecimal thousandths(double bound) {
        return BigDecimal.valueOf(bound).movePointRight(3);
    }
}

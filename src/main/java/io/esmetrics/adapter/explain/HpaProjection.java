package io.esmetrics.adapter.explain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.esmetrics.adapter.externalmetrics.MilliValue;
import io.esmetrics.adapter.rules.KubernetesDuration;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;

/**
 * What the HPA controller computes from an answer, by its own formula (kube-controller-manager's replica
 * calculator, {@code GetExternalMetricReplicas} and {@code GetExternalPerPodMetricReplicas}): it reads every item's
 * milli-value (rounded up), adds them, divides by the target and keeps the current count while the ratio is within
 * the tolerance. {@code minReplicas}, {@code maxReplicas} and {@code behavior} apply afterwards and are not known here.
 *
 * @param total            the sum of the items, as the HPA reads it (a Quantity)
 * @param averagePerReplica for {@code AverageValue}: the total per current replica, as the HPA's status shows it
 * @param usageRatio       how far the total is from the target: 1 is on target
 * @param desiredReplicas  absent when the answer is an error
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
record HpaProjection(String targetType, String target, Integer currentReplicas, String total, String averagePerReplica,
        Double usageRatio, double tolerance, Integer desiredReplicas, String why) {

    /** kube-controller-manager's {@code --horizontal-pod-autoscaler-tolerance}, unless the cluster changed it. */
    static final double TOLERANCE = 0.1;
    private static final String AFTERWARDS = " Then minReplicas, maxReplicas and the HPA's behavior (stabilization"
            + " window, scaling policies) apply.";

    /** What the HPA computes from a successful answer with these item values. */
    static HpaProjection of(HpaTarget target, List<BigDecimal> values) {
        List<Long> milliValues;
        try {
            milliValues = values.stream().map(MilliValue::of).toList();
        } catch (ArithmeticException overflow) {
            return overflowing(target);
        }
        return ofMilliValues(target, milliValues);
    }

    /** The same, from the items' milli-values: what the HPA reads of each, fractions of a milli rounded up. */
    static HpaProjection ofMilliValues(HpaTarget target, List<Long> milliValues) {
        long usage = 0;
        try {
            for (long value : milliValues) {
                usage = Math.addExact(usage, value);
            }
        } catch (ArithmeticException overflow) {
            return overflowing(target);
        }
        return computed(target, usage);
    }

    private static HpaProjection computed(HpaTarget target, long usage) {
        long targetMilli = target.milli();
        String total = quantity(usage);
        Integer current = target.replicas().orElse(null);
        String type = target.type().wire();
        if (target.type() == HpaTarget.Type.VALUE) {
            double ratio = (double) usage / targetMilli;
            if (current == 0) {
                int desired = ceil(ratio);
                return new HpaProjection(type, target.quantity(), current, total, null, ratio, TOLERANCE, desired,
                        "At 0 replicas the HPA scales to ceil(total / target) = ceil(" + total + " / " + target.quantity()
                                + ") = " + desired + "." + AFTERWARDS);
            }
            if (Math.abs(1 - ratio) <= TOLERANCE) {
                return new HpaProjection(type, target.quantity(), current, total, null, ratio, TOLERANCE, current,
                        withinTolerance(total, target.quantity(), ratio) + " the HPA keeps " + current + " replicas."
                                + AFTERWARDS);
            }
            int desired = ceil(ratio * current);
            return new HpaProjection(type, target.quantity(), current, total, null, ratio, TOLERANCE, desired,
                    "total / target = " + total + " / " + target.quantity() + " = " + round(ratio) + ", beyond the "
                            + percent() + " tolerance: the HPA wants ceil(" + round(ratio) + " × " + current
                            + " ready replicas) = " + desired + "." + AFTERWARDS);
        }
        int desired = ceil((double) usage / targetMilli);
        if (current == null) {
            return new HpaProjection(type, target.quantity(), null, total, null, null, TOLERANCE, desired,
                    "ceil(total / target) = ceil(" + total + " / " + target.quantity() + ") = " + desired + " replicas,"
                            + " unless the current count is within the " + percent() + " tolerance of it (give replicas"
                            + " to see that)." + AFTERWARDS);
        }
        if (current == 0) {
            return new HpaProjection(type, target.quantity(), current, total, null, null, TOLERANCE, desired,
                    "At 0 replicas the HPA scales to ceil(total / target) = ceil(" + total + " / " + target.quantity()
                            + ") = " + desired + "." + AFTERWARDS);
        }
        double ratio = (double) usage / ((double) targetMilli * current);
        String average = quantity(ceilDiv(usage, current));
        if (Math.abs(1 - ratio) <= TOLERANCE) {
            return new HpaProjection(type, target.quantity(), current, total, average, ratio, TOLERANCE, current,
                    "The average per replica, " + total + " / " + current + " = " + average + ", is within the "
                            + percent() + " tolerance of the target " + target.quantity() + " (ratio " + round(ratio)
                            + "): the HPA keeps " + current + " replicas." + AFTERWARDS);
        }
        return new HpaProjection(type, target.quantity(), current, total, average, ratio, TOLERANCE, desired,
                "The average per replica, " + total + " / " + current + " = " + average + ", is " + round(ratio)
                        + " times the target " + target.quantity() + ", beyond the " + percent() + " tolerance: the HPA"
                        + " wants ceil(total / target) = ceil(" + total + " / " + target.quantity() + ") = " + desired
                        + " replicas." + AFTERWARDS);
    }

    /** What the HPA does while the metric request fails: it cannot compute this metric at all. */
    static HpaProjection failing(HpaTarget target, int code, String reason) {
        return new HpaProjection(target.type().wire(), target.quantity(), target.replicas().orElse(null), null, null, null,
                TOLERANCE, null, "The metric request fails now (" + code + " " + reason + "), so the HPA controller"
                        + " cannot compute this metric: with it as its only metric the HPA keeps its current replica"
                        + " count (condition ScalingActive=False, reason FailedGetExternalMetric); with other metrics it"
                        + " may scale up on them, never down. It asks again at its next sync (every 15 s by default).");
    }

    /** Items whose milli-values, or their sum, are beyond the int64 in which the HPA adds them. */
    private static HpaProjection overflowing(HpaTarget target) {
        return new HpaProjection(target.type().wire(), target.quantity(), target.replicas().orElse(null), null, null, null,
                TOLERANCE, null, "The items add up to more than the HPA's int64 milli-value can hold (9.2e15): the HPA's"
                        + " sum would overflow. Select fewer series, or declare the metric in a smaller unit.");
    }

    /** The same, for values served from memory while every search fails: they are served only a while longer. */
    HpaProjection servedStale(Duration budgetLeft) {
        return new HpaProjection(targetType, target, currentReplicas, total, averagePerReplica, usageRatio, tolerance,
                desiredReplicas, why + " These values come from memory while every search fails: if none succeeds within "
                        + KubernetesDuration.format(budgetLeft) + ", the metric request fails and the HPA holds its"
                        + " current replica count.");
    }

    private static String withinTolerance(String total, String target, double ratio) {
        return "total / target = " + total + " / " + target + " = " + round(ratio) + ", within the " + percent()
                + " tolerance:";
    }

    private static String quantity(long milli) {
        return new BigDecimal(BigInteger.valueOf(milli), 3).stripTrailingZeros().toPlainString();
    }

    private static long ceilDiv(long dividend, long divisor) {
        return -Math.floorDiv(-dividend, divisor);
    }

    private static int ceil(double value) {
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(value));
    }

    private static String round(double ratio) {
        return BigDecimal.valueOf(ratio).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String percent() {
        return Math.round(TOLERANCE * 100) + "%";
    }
}

package io.esmetrics.adapter.explain;

import io.esmetrics.adapter.externalmetrics.InvalidRequestException;
import io.esmetrics.adapter.externalmetrics.MilliValue;
import java.util.Locale;
import java.util.Optional;

/**
 * The target of an HPA's {@code External} metric, as {@code explain=true} takes it from the query:
 * {@code target=10}, optionally {@code targetType=Value|AverageValue} (default {@code AverageValue}, the type most
 * HPAs use with external metrics) and {@code replicas=3} (the current, ready replicas).
 *
 * @param milli the target's milli-value, as the HPA reads it
 */
record HpaTarget(Type type, String quantity, long milli, Optional<Integer> replicas) {

    /** The HPA's {@code MetricTargetType}s an external metric may use ({@code Utilization} is for resources only). */
    enum Type {
        VALUE("Value"), AVERAGE_VALUE("AverageValue");

        private final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        String wire() {
            return wire;
        }
    }

    /** More replicas than any HPA can hold ({@code maxReplicas} is an int32): refused, not overflowed. */
    private static final int MAX_REPLICAS = Integer.MAX_VALUE;

    /**
     * The target the query describes; empty without {@code target}.
     *
     * @throws InvalidRequestException a parameter that is not what an HPA could hold
     */
    static Optional<HpaTarget> from(String target, String targetType, String replicas) {
        if (target == null) {
            if (targetType != null || replicas != null) {
                throw new InvalidRequestException("targetType and replicas describe an HPA's target: give target as well,"
                        + " for example target=10");
            }
            return Optional.empty();
        }
        long milli = quantity(target);
        Type type = type(targetType);
        Optional<Integer> current = replicas == null ? Optional.empty() : Optional.of(replicas(replicas));
        if (type == Type.VALUE && current.isEmpty()) {
            throw new InvalidRequestException("targetType=Value divides the total by the target and multiplies by the"
                    + " current replicas: give replicas as well, for example replicas=3");
        }
        return Optional.of(new HpaTarget(type, target, milli, current));
    }

    /** Read without expanding its exponent: {@code target=1e40000000} would cost half a minute of CPU, and memory. */
    private static long quantity(String text) {
        long milli;
        try {
            milli = MilliValue.parse(text);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("invalid target \"" + text + "\": a Kubernetes quantity such as 10, 500m or 2k");
        } catch (ArithmeticException e) {
            throw new InvalidRequestException("invalid target \"" + text + "\": beyond what an HPA can hold (its milli-value"
                    + " is an int64: at most 9223372036854775807m, about 9.2e15)");
        }
        if (milli <= 0) {
            throw new InvalidRequestException("invalid target \"" + text + "\": an HPA's target must be above zero");
        }
        return milli;
    }

    private static Type type(String text) {
        if (text == null) {
            return Type.AVERAGE_VALUE;
        }
        for (Type type : Type.values()) {
            if (type.wire().toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        throw new InvalidRequestException("invalid targetType \"" + text + "\": an External metric's target is Value or"
                + " AverageValue");
    }

    private static int replicas(String text) {
        if (!text.matches("\\d{1,10}") || Long.parseLong(text) > MAX_REPLICAS) {
            throw new InvalidRequestException("invalid replicas \"" + text + "\": the current number of replicas, 0 or more");
        }
        return Integer.parseInt(text);
    }
}

package io.esmetrics.adapter.explain;

import io.esmetrics.adapter.externalmetrics.InvalidRequestException;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The target of an HPA's {@code External} metric, as {@code explain=true} takes it from the query:
 * {@code target=10}, optionally {@code targetType=Value|AverageValue} (default {@code AverageValue}, the type most
 * HPAs use with external metrics) and {@code replicas=3} (the current, ready replicas).
 */
record HpaTarget(Type type, String quantity, BigDecimal value, Optional<Integer> replicas) {

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

    /** Kubernetes' Quantity grammar: a decimal number and a decimal, binary or exponent suffix. */
    private static final Pattern QUANTITY = Pattern.compile(
            "[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|[numkMGTPE]|Ki|Mi|Gi|Ti|Pi|Ei)?");
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
        BigDecimal value = quantity(target);
        Type type = type(targetType);
        Optional<Integer> current = replicas == null ? Optional.empty() : Optional.of(replicas(replicas));
        if (type == Type.VALUE && current.isEmpty()) {
            throw new InvalidRequestException("targetType=Value divides the total by the target and multiplies by the"
                    + " current replicas: give replicas as well, for example replicas=3");
        }
        return Optional.of(new HpaTarget(type, target, value, current));
    }

    private static BigDecimal quantity(String text) {
        if (!QUANTITY.matcher(text).matches()) {
            throw new InvalidRequestException("invalid target \"" + text + "\": a Kubernetes quantity such as 10, 500m or 2k");
        }
        BigDecimal value;
        try {
            value = Quantity.parse(text).getNumericalAmount();
        } catch (RuntimeException e) {
            throw new InvalidRequestException("invalid target \"" + text + "\": a Kubernetes quantity such as 10, 500m or 2k");
        }
        if (value.signum() <= 0) {
            throw new InvalidRequestException("invalid target \"" + text + "\": an HPA's target must be above zero");
        }
        return value;
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

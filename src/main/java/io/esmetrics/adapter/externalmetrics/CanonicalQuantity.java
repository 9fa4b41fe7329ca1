package io.esmetrics.adapter.externalmetrics;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Formats numbers as Kubernetes Quantities in canonical DecimalSI form: an integer mantissa and the largest
 * exponent that is a multiple of 3 (1.5 → {@code 1500m}, 1500 → {@code 1500}, 2000 → {@code 2k}).
 * The HPA reads {@code MilliValue()}: fractions below a milli round up, as Kubernetes rounds, and values
 * whose milli-value would overflow an int64 are refused rather than sent wrapped around. Public because
 * ElasticsearchMetric statuses show values in the same form as the metric API.
 */
public final class CanonicalQuantity {

    private static final String[] SUFFIXES = { "m", "", "k", "M", "G", "T", "P", "E" };
    private static final BigInteger MAX_MILLIS = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger THOUSAND = BigInteger.valueOf(1000);

    private CanonicalQuantity() {
    }

    static String format(double value) {
        if (!Double.isFinite(value)) {
            throw new QuantityOutOfRangeException(String.valueOf(value));
        }
        return format(BigDecimal.valueOf(value));
    }

    public static String format(BigDecimal value) {
        BigInteger millis = value.setScale(3, RoundingMode.UP).unscaledValue();
        if (millis.abs().compareTo(MAX_MILLIS) > 0) {
            throw new QuantityOutOfRangeException(value.toPlainString());
        }
        if (millis.signum() == 0) {
            return "0";
        }
        int suffix = 0;
        BigInteger mantissa = millis;
        while (suffix < SUFFIXES.length - 1 && mantissa.mod(THOUSAND).signum() == 0) {
            mantissa = mantissa.divide(THOUSAND);
            suffix++;
        }
        return mantissa + SUFFIXES[suffix];
    }
}

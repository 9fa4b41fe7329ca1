package io.esmetrics.adapter.externalmetrics;

import java.math.BigDecimal;

/**
 * Formats numbers as Kubernetes Quantities in canonical DecimalSI form: an integer mantissa and the largest
 * exponent that is a multiple of 3 (1.5 → {@code 1500m}, 1500 → {@code 1500}, 2000 → {@code 2k}).
 * The HPA reads {@code MilliValue()}: fractions below a milli round up, as Kubernetes rounds, and values
 * whose milli-value would overflow an int64 are refused rather than sent wrapped around. Public because
 * ElasticsearchMetric statuses show values in the same form as the metric API.
 */
public final class CanonicalQuantity {

    private static final String[] SUFFIXES = { "m", "", "k", "M", "G", "T", "P", "E" };

    private CanonicalQuantity() {
    }

    static String format(double value) {
        if (!Double.isFinite(value)) {
            throw new QuantityOutOfRangeException(String.valueOf(value));
        }
        return format(BigDecimal.valueOf(value));
    }

    public static String format(BigDecimal value) {
        long millis;
        try {
            // A value from a document's field can be 1e-999999999: its milli-value is read without expanding it.
            millis = MilliValue.of(value);
        } catch (ArithmeticException overflow) {
            throw new QuantityOutOfRangeException(shown(value));
        }
        if (millis == 0) {
            return "0";
        }
        int suffix = 0;
        long mantissa = millis;
        while (suffix < SUFFIXES.length - 1 && mantissa % 1000 == 0) {
            mantissa /= 1000;
            suffix++;
        }
        return mantissa + SUFFIXES[suffix];
    }

    /** Written out in full unless that would take more than a line: 1e999999999 is a billion characters. */
    private static String shown(BigDecimal value) {
        return Math.max(value.precision(), Math.abs((long) value.precision() - value.scale())) <= 40
                ? value.toPlainString() : value.toString();
    }
}

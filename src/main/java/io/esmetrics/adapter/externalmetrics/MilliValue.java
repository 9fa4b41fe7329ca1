package io.esmetrics.adapter.externalmetrics;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes Quantity as the HPA reads it: its {@code MilliValue()}, an int64 of thousandths, fractions of a
 * thousandth rounded away from zero (0.0001 is 1m). Quantities also come from requests ({@code explain}'s target) and
 * from another provider's answers, so they are judged by their digits and exponent before any arithmetic: whatever
 * lies beyond the int64 is refused first, whatever lies below a milli is a milli, and the rest costs as much as its
 * digits. BigDecimal and fabric8's Quantity expand an exponent exactly: {@code 1e40000000} is forty million digits
 * and half a minute of CPU (docs/design.md, "Quantities from outside are read by their milli-value"). Public because
 * explain reads targets and forwarded values with it.
 */
public final class MilliValue {

    /**
     * Kubernetes' grammar ({@code resource.ParseQuantity}): a sign, digits with an optional point, and one suffix,
     * a decimal exponent, a decimal SI or a binary SI one. ASCII digits only, as Kubernetes reads them.
     */
    private static final Pattern QUANTITY = Pattern.compile(
            "([+-]?)([0-9]*)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?");
    /** A value of 10^16 or more is at least 10^19 thousandths: beyond the int64, whatever its suffix. */
    private static final int MAX_INTEGER_DIGITS = 16;
    /** Below 10^-40 even 2^60 (Ei) times a thousand is below one thousandth: a milli, the least the HPA reads. */
    private static final int MIN_INTEGER_DIGITS = -40;
    /**
     * Digits kept exactly; beyond them, only whether any is non-zero matters. Kept values have at most 16 integer
     * digits, so at least 81 of these are below the milli, and a non-zero digit in place of the rest rounds the same
     * way, even times 2^60: 10^81 is a multiple of 2^60, so no whole number of thousandths falls between them.
     */
    private static final int KEPT_DIGITS = 100;

    private MilliValue() {
    }

    /**
     * {@code value}'s milli-value, at a cost that grows with its digits, never with its exponent.
     *
     * @throws ArithmeticException beyond the int64
     */
    public static long of(BigDecimal value) {
        if (value.signum() == 0) {
            return 0;
        }
        long integerDigits = (long) value.precision() - value.scale();
        if (integerDigits > MAX_INTEGER_DIGITS) {
            throw beyondInt64();
        }
        if (integerDigits <= -3) {
            // Below 10^-3: the HPA reads one thousandth, and setScale would divide by 10^scale to say so.
            return value.signum();
        }
        return value.setScale(3, RoundingMode.UP).unscaledValue().longValueExact();
    }

    /**
     * The milli-value of Kubernetes quantity text ({@code 500m}, {@code 1.5k}, {@code 2Gi}, {@code 1e3}).
     *
     * @throws NumberFormatException not a Kubernetes quantity
     * @throws ArithmeticException   a quantity beyond the int64 the HPA reads
     */
    public static long parse(String text) {
        Matcher quantity = text == null ? null : QUANTITY.matcher(text);
        if (quantity == null || !quantity.matches() || quantity.group(2).isEmpty() && empty(quantity.group(3))) {
            throw new NumberFormatException("not a Kubernetes quantity");
        }
        String fraction = empty(quantity.group(3)) ? "" : quantity.group(3);
        String digits = quantity.group(2) + fraction;
        int first = 0;
        while (first < digits.length() && digits.charAt(first) == '0') {
            first++;
        }
        if (first == digits.length()) {
            return 0;
        }
        int last = digits.length() - 1;
        while (digits.charAt(last) == '0') {
            last--;
        }
        // The value is significant × 10^exponent × 2^binary.
        String significant = digits.substring(first, last + 1);
        long exponent = exponent(quantity.group(4)) + decimalSuffix(quantity.group(5))
                + (digits.length() - 1 - last) - fraction.length();
        int binary = binarySuffix(quantity.group(5));
        long integerDigits = significant.length() + exponent;
        if (integerDigits > MAX_INTEGER_DIGITS) {
            throw beyondInt64();
        }
        boolean negative = "-".equals(quantity.group(1));
        if (integerDigits < MIN_INTEGER_DIGITS) {
            return negative ? -1 : 1;
        }
        if (significant.length() > KEPT_DIGITS) {
            exponent += significant.length() - (KEPT_DIGITS + 1);
            significant = significant.substring(0, KEPT_DIGITS) + "1";
        }
        BigDecimal value = new BigDecimal(new BigInteger(significant), (int) -exponent);
        if (binary > 0) {
            value = value.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(binary)));
        }
        return of(negative ? value.negate() : value);
    }

    /** The exponent's digits, at most ten of them meaningful: 10^10 is as far beyond int64 as 10^(10^100). */
    private static long exponent(String text) {
        if (text == null) {
            return 0;
        }
        int first = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        while (first < text.length() - 1 && text.charAt(first) == '0') {
            first++;
        }
        String digits = text.substring(first);
        long magnitude = digits.length() > 10 ? 10_000_000_000L : Long.parseLong(digits);
        return text.startsWith("-") ? -magnitude : magnitude;
    }

    private static int decimalSuffix(String suffix) {
        if (suffix == null) {
            return 0;
        }
        return switch (suffix) {
            case "n" -> -9;
            case "u" -> -6;
            case "m" -> -3;
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            case "T" -> 12;
            case "P" -> 15;
            case "E" -> 18;
            default -> 0;
        };
    }

    private static int binarySuffix(String suffix) {
        if (suffix == null || suffix.length() != 2) {
            return 0;
        }
        return 10 * ("KMGTPE".indexOf(suffix.charAt(0)) + 1);
    }

    private static boolean empty(String text) {
        return text == null || text.isEmpty();
    }

    private static ArithmeticException beyondInt64() {
        return new ArithmeticException("beyond the int64 milli-value an HPA reads");
    }
}

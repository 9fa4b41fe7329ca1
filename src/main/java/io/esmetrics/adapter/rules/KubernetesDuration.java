package io.esmetrics.adapter.rules;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written as Kubernetes users write them (Go syntax): {@code 30s}, {@code 1m}, {@code 1h30m}, {@code 500ms}. */
public final class KubernetesDuration {

    /** What {@link #parse} accepts, as a regular expression: the CRD's schema carries this very string. */
    public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

    private static final Pattern WHOLE = Pattern.compile(PATTERN);
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private KubernetesDuration() {
    }

    /** @throws IllegalArgumentException with a message fit for a user */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not a duration; write it like 30s, 1m, 1h30m or 500ms");
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            BigDecimal millisPerUnit = switch (part.group(2)) {
                case "ms" -> BigDecimal.ONE;
                case "s" -> BigDecimal.valueOf(1_000);
                case "m" -> BigDecimal.valueOf(60_000);
                default -> BigDecimal.valueOf(3_600_000);
            };
            total = total.plusMillis(new BigDecimal(part.group(1)).multiply(millisPerUnit).longValue());
        }
        return total;
    }

    /** The other way: {@code 3m20s}, {@code 1h0m5s}, {@code 250ms}, {@code 0s}; seconds and coarser drop the millis. */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            return duration.isZero() ? "0s" : duration.toMillis() + "ms";
        }
        long hours = duration.toHours();
        int minutes = duration.toMinutesPart();
        int seconds = duration.toSecondsPart();
        if (hours > 0) {
            return hours + "h" + minutes + "m" + seconds + "s";
        }
        return minutes > 0 ? minutes + "m" + seconds + "s" : seconds + "s";
    }
}

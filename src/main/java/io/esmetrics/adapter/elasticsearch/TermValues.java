package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The value a {@code term} query gets for a label or filter value, given the mapped types of its field; empty when
 * no value of that field can equal it. Elasticsearch refuses a whole search when one term cannot be parsed for its
 * field ({@code status_code=svc-a} on a {@code long}), where a Kubernetes selector simply matches nothing: such a
 * value is left out, so {@code =} and {@code in} match nothing and {@code !=} and {@code notin} everything, as the
 * in-memory match of a shared search decides (selector.Requirement). Values of unknown types pass as written.
 */
final class TermValues {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> TEXT = Set.of("keyword", "constant_keyword", "wildcard", "text", "match_only_text",
            "version", "flattened");
    private static final BigInteger UNSIGNED_LONG_MAX = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");

    private TermValues() {
    }

    static Optional<JsonNode> of(Set<String> types, String value) {
        if (types.isEmpty() || types.stream().anyMatch(TEXT::contains)) {
            // Unmapped, unknown, or a string in some index: the value as written, which no index can refuse.
            return types.stream().allMatch(type -> TEXT.contains(type) || accepts(type, value))
                    ? Optional.of(JSON.textNode(value)) : Optional.empty();
        }
        Optional<JsonNode> converted = Optional.empty();
        for (String type : types) {
            if (!accepts(type, value)) {
                return Optional.empty();
            }
            converted = Optional.of(converted(type, value));
        }
        return converted;
    }

    private static boolean accepts(String type, String value) {
        return switch (type) {
            case "long" -> integer(value, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE));
            case "integer" -> integer(value, BigInteger.valueOf(Integer.MIN_VALUE), BigInteger.valueOf(Integer.MAX_VALUE));
            case "short" -> integer(value, BigInteger.valueOf(Short.MIN_VALUE), BigInteger.valueOf(Short.MAX_VALUE));
            case "byte" -> integer(value, BigInteger.valueOf(Byte.MIN_VALUE), BigInteger.valueOf(Byte.MAX_VALUE));
            case "unsigned_long" -> integer(value, BigInteger.ZERO, UNSIGNED_LONG_MAX);
            case "double", "scaled_float" -> decimal(value, Double.MAX_VALUE);
            case "float" -> decimal(value, Float.MAX_VALUE);
            case "half_float" -> decimal(value, 65504);
            case "boolean" -> value.equals("true") || value.equals("false");
            case "ip" -> IPV4.matcher(value).matches();
            // Elasticsearch reads "2026" as a year, while the series of a date label carry epoch milliseconds.
            case "date", "date_nanos" -> DIGITS.matcher(value).matches();
            default -> true;
        };
    }

    private static JsonNode converted(String type, String value) {
        return switch (type) {
            case "long", "integer", "short", "byte", "unsigned_long" ->
                    JSON.textNode(number(value).orElseThrow().toBigIntegerExact().toString());
            case "date", "date_nanos" -> JSON.numberNode(Long.parseLong(value));
            default -> JSON.textNode(value);
        };
    }

    /** An integral number within the bounds: {@code 500}, {@code 500.0} and {@code 5e2} all are 500. */
    private static boolean integer(String value, BigInteger min, BigInteger max) {
        return number(value).filter(number -> number.stripTrailingZeros().scale() <= 0)
                .map(BigDecimal::toBigIntegerExact)
                .filter(number -> number.compareTo(min) >= 0 && number.compareTo(max) <= 0)
                .isPresent();
    }

    private static boolean decimal(String value, double max) {
        return number(value).filter(number -> number.abs().compareTo(BigDecimal.valueOf(max)) <= 0).isPresent();
    }

    private static Optional<BigDecimal> number(String value) {
        // Label values have at most 63 characters, but an exponent can still make a huge number: bound it.
        try {
            BigDecimal number = new BigDecimal(value);
            return Math.abs((long) number.precision() - number.scale()) > 400 ? Optional.empty() : Optional.of(number);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

package io.esmetrics.adapter.selector;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * One comma-separated term of a label selector. {@code values} is empty for the existence operators and
 * holds exactly one value for {@code =} and {@code !=}.
 */
public record Requirement(String key, Operator operator, List<String> values) {

    public Requirement {
        values = List.copyOf(values);
    }

    /**
     * Whether a series with these labels satisfies this requirement, as Kubernetes decides it: a label absent
     * from {@code labels} (the document lacked the field) fails {@code =}, {@code in} and existence, and passes
     * {@code !=}, {@code notin} and {@code !key}.
     */
    public boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case EQUALS, IN -> value != null && isOneOfValues(value);
            case NOT_EQUALS, NOT_IN -> value == null || !isOneOfValues(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
        };
    }

    private boolean isOneOfValues(String value) {
        return values.stream().anyMatch(candidate -> sameValue(candidate, value));
    }

    /**
     * Equal as strings, or as numbers: Elasticsearch returns the values of a numeric field as numbers
     * ({@code 500}, {@code 1.0}) and matches {@code status_code=500} or {@code ratio=1} against them numerically,
     * so an in-memory match must agree with it.
     */
    private static boolean sameValue(String selected, String actual) {
        if (selected.equals(actual)) {
            return true;
        }
        BigDecimal selectedNumber = number(selected);
        BigDecimal actualNumber = number(actual);
        return selectedNumber != null && actualNumber != null && selectedNumber.compareTo(actualNumber) == 0;
    }

    private static BigDecimal number(String text) {
        // Label values are mostly names: refuse them without the cost of a NumberFormatException.
        char first = text.isEmpty() ? ' ' : text.charAt(0);
        if (!Character.isDigit(first) && first != '-' && first != '+' && first != '.') {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return switch (operator) {
            case EQUALS -> key + "=" + values.get(0);
            case NOT_EQUALS -> key + "!=" + values.get(0);
            case IN -> key + " in (" + String.join(",", values) + ")";
            case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
            case EXISTS -> key;
            case DOES_NOT_EXIST -> "!" + key;
        };
    }
}

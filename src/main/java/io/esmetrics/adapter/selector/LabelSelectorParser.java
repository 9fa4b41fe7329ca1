package io.esmetrics.adapter.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the label selector grammar of {@code k8s.io/apimachinery/pkg/labels}: {@code a=b}, {@code a==b},
 * {@code a!=b}, {@code a in (x,y)}, {@code a notin (x)}, {@code a}, {@code !a}, joined by commas.
 * Keys are qualified names and values label values, validated as Kubernetes does.
 */
final class LabelSelectorParser {

    private static final String NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final Pattern NAME_PART = Pattern.compile(NAME);
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_VALUE = Pattern.compile("(" + NAME + ")?");
    private static final int MAX_NAME_LENGTH = 63;
    private static final int MAX_PREFIX_LENGTH = 253;

    private final String selector;
    private final List<String> tokens;
    private int position;

    private LabelSelectorParser(String selector) {
        this.selector = selector;
        this.tokens = tokenize(selector);
    }

    static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return LabelSelector.everything();
        }
        return new LabelSelectorParser(selector).selector();
    }

    private LabelSelector selector() {
        List<Requirement> requirements = new ArrayList<>();
        requirements.add(requirement());
        while (!atEnd()) {
            expect(",");
            requirements.add(requirement());
        }
        return new LabelSelector(requirements);
    }

    private Requirement requirement() {
        if (peekIs("!")) {
            next();
            return new Requirement(key(), Operator.DOES_NOT_EXIST, List.of());
        }
        String key = key();
        if (atEnd() || peekIs(",")) {
            return new Requirement(key, Operator.EXISTS, List.of());
        }
        String operator = next();
        return switch (operator) {
            case "=", "==" -> new Requirement(key, Operator.EQUALS, List.of(singleValue()));
            case "!=" -> new Requirement(key, Operator.NOT_EQUALS, List.of(singleValue()));
            case "in" -> new Requirement(key, Operator.IN, valueSet(key));
            case "notin" -> new Requirement(key, Operator.NOT_IN, valueSet(key));
            case "<", ">" -> throw fail("operator '" + operator + "' is not supported for external metrics");
            default -> throw fail("found '" + operator + "', expected: in, notin, =, ==, !=, or end of requirement");
        };
    }

    private String key() {
        if (atEnd()) {
            throw fail("found end of selector, expected a label key");
        }
        String key = next();
        if (isSpecial(key)) {
            throw fail("found '" + key + "', expected a label key");
        }
        validateKey(key);
        return key;
    }

    private String singleValue() {
        if (atEnd() || peekIs(",")) {
            return "";
        }
        String value = next();
        if (isSpecial(value)) {
            throw fail("found '" + value + "', expected a label value");
        }
        validateValue(value);
        return value;
    }

    private List<String> valueSet(String key) {
        expect("(");
        List<String> values = new ArrayList<>();
        if (peekIs(")")) {
            throw fail("for 'in', 'notin' operators, values set can't be empty (key '" + key + "')");
        }
        while (true) {
            values.add(peekIs(",") || peekIs(")") ? "" : singleValue());
            String separator = atEnd() ? "end of selector" : next();
            if (separator.equals(")")) {
                return values;
            }
            if (!separator.equals(",")) {
                throw fail("found '" + separator + "', expected: ',' or ')'");
            }
        }
    }

    private void validateKey(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                throw fail("invalid label key \"" + key + "\": prefix must be a DNS subdomain");
            }
        }
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME_PART.matcher(name).matches()) {
            throw fail("invalid label key \"" + key + "\": name part must consist of at most 63 alphanumeric "
                    + "characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }
    }

    private void validateValue(String value) {
        if (value.length() > MAX_NAME_LENGTH || !LABEL_VALUE.matcher(value).matches()) {
            throw fail("invalid label value \"" + value + "\": must be at most 63 alphanumeric characters, "
                    + "'-', '_' or '.', and must start and end with an alphanumeric character");
        }
    }

    private void expect(String token) {
        String found = atEnd() ? "end of selector" : next();
        if (!found.equals(token)) {
            throw fail("found '" + found + "', expected: '" + token + "'");
        }
    }

    private boolean atEnd() {
        return position >= tokens.size();
    }

    private boolean peekIs(String token) {
        return !atEnd() && tokens.get(position).equals(token);
    }

    private String next() {
        return tokens.get(position++);
    }

    private InvalidLabelSelectorException fail(String problem) {
        return new InvalidLabelSelectorException(selector, problem);
    }

    private static boolean isSpecial(String token) {
        return switch (token) {
            case ",", "(", ")", "=", "==", "!=", "!", "<", ">" -> true;
            default -> false;
        };
    }

    private static boolean isSpecialChar(char c) {
        return c == ',' || c == '(' || c == ')' || c == '=' || c == '!' || c == '<' || c == '>';
    }

    private static List<String> tokenize(String selector) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < selector.length()) {
            char c = selector.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if ((c == '=' || c == '!') && i + 1 < selector.length() && selector.charAt(i + 1) == '=') {
                tokens.add(c + "=");
                i += 2;
            } else if (isSpecialChar(c)) {
                tokens.add(String.valueOf(c));
                i++;
            } else {
                int start = i;
                while (i < selector.length() && !isSpecialChar(selector.charAt(i))
                        && !Character.isWhitespace(selector.charAt(i))) {
                    i++;
                }
                tokens.add(selector.substring(start, i));
            }
        }
        return tokens;
    }
}

package io.esmetrics.adapter.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tests need to know of a PromQL expression (or a Grafana query, {@code $variables} included): the metric
 * names it reads, the label matchers on each, and the labels it groups by. Not a parser: the lexical rules of PromQL
 * that tell a metric name from a function, a keyword, a label or a duration, which {@link PromQlTest} holds to.
 */
final class PromQl {

    record LabelMatcher(String label, String operator, String value) {

        /** Whether this matcher compares with a literal, not a Grafana variable. */
        boolean literal() {
            return !value.contains("$");
        }

        @Override
        public String toString() {
            return label + operator + '"' + value + '"';
        }
    }

    record Selector(String metric, List<LabelMatcher> matchers) {
    }

    /** {@code by (labels)} and the metrics of the expression it aggregates. */
    record Grouping(List<String> labels, Set<String> metrics) {
    }

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MODIFIER_LABELS = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    // Possessive, so that a function's name cannot be cut short to pass as a metric's ("rat" of "rate("). Not after a
    // word character, a dot or '$': the unit of a number or duration (1e3, 5m), a Grafana variable.
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern SELECTOR = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)\\s*\\(");

    private PromQl() {
    }

    static Set<String> metricNames(String expression) {
        return names(expression, false);
    }

    /** The metric names read somewhere without label matchers ({@code name} rather than {@code name{...}}). */
    static Set<String> namesWithoutMatchers(String expression) {
        return names(expression, true);
    }

    private static Set<String> names(String expression, boolean withoutMatchersOnly) {
        // Matchers emptied, not removed: whether a name has them is still visible.
        String bare = withoutStrings(expression)
                .replaceAll("\\{[^}]*}", "{}")
                .replaceAll("\\[[^]]*]", " ");
        bare = MODIFIER_LABELS.matcher(bare).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            boolean matched = bare.substring(identifier.end()).stripLeading().startsWith("{");
            if (!KEYWORDS.contains(identifier.group().toLowerCase(Locale.ROOT)) && !(withoutMatchersOnly && matched)) {
                names.add(identifier.group());
            }
        }
        return names;
    }

    /** Every {@code metric{matchers}} of the expression, with its matchers. */
    static List<Selector> selectors(String expression) {
        List<Selector> selectors = new ArrayList<>();
        Matcher selector = SELECTOR.matcher(expression);
        while (selector.find()) {
            List<LabelMatcher> matchers = new ArrayList<>();
            Matcher matcher = MATCHER.matcher(selector.group(2));
            int end = 0;
            while (matcher.lookingAt()) {
                matchers.add(new LabelMatcher(matcher.group(1), matcher.group(2), matcher.group(3)));
                end = matcher.end();
                matcher.region(end, selector.group(2).length());
            }
            if (!selector.group(2).substring(end).isBlank()) {
                throw new IllegalArgumentException("cannot read the matchers {" + selector.group(2) + "} of " + expression);
            }
            selectors.add(new Selector(selector.group(1), matchers));
        }
        return selectors;
    }

    /** Every {@code by (labels) (expression)}, with the metrics that expression reads. */
    static List<Grouping> groupings(String expression) {
        String bare = withoutStrings(expression);
        List<Grouping> groupings = new ArrayList<>();
        Matcher by = BY.matcher(bare);
        while (by.find()) {
            int open = by.end() - 1;
            int close = closingParenthesis(bare, open);
            List<String> labels = List.of(by.group(1).trim().split("\\s*,\\s*"));
            groupings.add(new Grouping(labels, metricNames(bare.substring(open + 1, close))));
        }
        return groupings;
    }

    /** The expression with every string literal emptied: a label value may hold anything. */
    private static String withoutStrings(String expression) {
        return STRING.matcher(expression).replaceAll("\"\"");
    }

    private static int closingParenthesis(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '(') {
                depth++;
            } else if (text.charAt(i) == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses: " + text);
    }
}

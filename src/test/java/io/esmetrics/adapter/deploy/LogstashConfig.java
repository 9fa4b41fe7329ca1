package io.esmetrics.adapter.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Logstash pipeline file read as far as the deploy tests need: its sections ({@code input}, {@code filter},
 * {@code output}), the plugins in each, and their {@code name => value} settings. Braces inside strings and comments
 * ({@code "${PASSWORD}"}, {@code "%{+YYYY.MM.dd}"}) are not blocks.
 */
record LogstashConfig(String text) {

    private static final Pattern BLOCK_START = Pattern.compile("(?m)^\\s*(\\w+) \\{");

    /** The body of the top-level section, if the pipeline has one. */
    Optional<String> section(String name) {
        return blocks(text).stream().filter(block -> block.name().equals(name)).map(Block::body).findFirst();
    }

    /** The plugins of a section, in order. */
    List<Block> plugins(String section) {
        return section(section).map(LogstashConfig::blocks).orElse(List.of());
    }

    Block plugin(String section, String name) {
        return plugins(section).stream().filter(block -> block.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in the " + section + " section"));
    }

    record Block(String name, String body) {

        /** A setting's value, quotes and list brackets of a single value removed. */
        Optional<String> setting(String setting) {
            Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(setting) + " => (.+)$").matcher(body);
            return matcher.find() ? Optional.of(matcher.group(1).trim().replaceAll("^\\[?\"|\"]?$", "")) : Optional.empty();
        }

        String required(String setting) {
            return setting(setting).orElseThrow(() -> new AssertionError(name + " has no setting " + setting));
        }
    }

    /** The blocks at the top level of {@code text}: a word, an opening brace, and everything to the matching one. */
    private static List<Block> blocks(String text) {
        List<Block> blocks = new ArrayList<>();
        String code = withoutStringsAndComments(text);
        Matcher start = BLOCK_START.matcher(code);
        int from = 0;
        while (start.find(from)) {
            int depth = 0;
            int end = start.end() - 1;
            do {
                char c = code.charAt(end++);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            } while (depth > 0);
            blocks.add(new Block(start.group(1), text.substring(start.end(), end - 1)));
            from = end;
        }
        return blocks;
    }

    /** The text with every character of strings and comments blanked out, so that offsets stay those of the text. */
    private static String withoutStringsAndComments(String text) {
        StringBuilder code = new StringBuilder(text);
        boolean string = false;
        boolean comment = false;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (comment) {
                comment = c != '\n';
            } else if (string) {
                string = c != '"';
            } else if (c == '#') {
                comment = true;
            } else if (c == '"') {
                string = true;
                continue;
            }
            if ((comment || string) && c != '\n') {
                code.setCharAt(i, ' ');
            }
        }
        return code.toString();
    }
}

package io.esmetrics.adapter.crd;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which indices an ElasticsearchMetric may read ({@code adapter.custom-resources.allowed-index-patterns}): every
 * part of its {@code indexPattern}, exclusions aside, must be matched by an allowed pattern, as Elasticsearch matches
 * index names ({@code *}: any characters), so that a part is one of them or narrower. A part naming a remote cluster
 * needs an allowed pattern that names one: {@code *} alone does not open every cluster.
 */
final class IndexPatternAllowList {

    private final List<String> allowed;
    private final List<Pattern> patterns;

    IndexPatternAllowList(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
        this.patterns = allowed.stream().map(IndexPatternAllowList::glob).toList();
    }

    /** Why {@code indexPattern} may not be read; empty when it may. */
    Optional<String> refusal(String indexPattern) {
        for (String part : indexPattern.split(",")) {
            if (part.startsWith("-")) {
                continue; // an exclusion only narrows what the other parts read
            }
            boolean remote = part.contains(":");
            boolean covered = false;
            for (int i = 0; i < allowed.size() && !covered; i++) {
                covered = allowed.get(i).contains(":") == remote && patterns.get(i).matcher(part).matches();
            }
            if (!covered) {
                return Optional.of("\"" + part + "\" is not among the indices this cluster lets resources read " + allowed
                        + " (adapter.custom-resources.allowed-index-patterns" + (remote ? ", which names no remote cluster" : "")
                        + ")");
            }
        }
        return Optional.empty();
    }

    private static Pattern glob(String pattern) {
        return Pattern.compile(Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).reduce((a, b) -> a + ".*" + b).orElse(""));
    }
}

package io.esmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The feature packages depend on each other in one direction only: a cycle (two packages importing each other, directly
 * or through others) means a concept in the wrong home. Read from the sources' imports, as a new engineer reads them.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/esmetrics/adapter");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.esmetrics\\.adapter\\.(\\w+)\\.", Pattern.MULTILINE);

    @Test
    void noFeaturePackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> imports = imports();

        List<String> cycles = new ArrayList<>();
        for (String start : imports.keySet()) {
            findCycles(start, List.of(start), imports, cycles);
        }

        assertThat(imports).as("the packages were read").containsKeys("externalmetrics", "provider", "cache", "elasticsearch");
        assertThat(cycles).isEmpty();
    }

    private static void findCycles(String start, List<String> path, Map<String, Set<String>> imports, List<String> cycles) {
        for (String next : imports.getOrDefault(path.get(path.size() - 1), Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                List<String> longer = new ArrayList<>(path);
                longer.add(next);
                findCycles(start, longer, imports, cycles);
            }
        }
    }

    /** Package → the other packages its classes import. */
    private static Map<String, Set<String>> imports() throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                String own = SOURCES.relativize(file).getName(0).toString();
                Set<String> used = imports.computeIfAbsent(own, name -> new TreeSet<>());
                Matcher imported = IMPORT.matcher(Files.readString(file));
                while (imported.find()) {
                    if (!imported.group(1).equals(own)) {
                        used.add(imported.group(1));
                    }
                }
            }
        }
        return imports;
    }
}

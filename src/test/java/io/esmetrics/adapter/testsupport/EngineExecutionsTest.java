package io.esmetrics.adapter.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine-* executions of pom.xml hand JUnit only the classes listed in {@code engines.tests} (see there why);
 * JUnit then runs those tagged {@code engines}. A tagged class missing from the list would silently never run on
 * the other engines of the support matrix: the list and the tags must agree.
 */
class EngineExecutionsTest {

    private static final Path TESTS = Path.of("src/test/java");
    private static List<Path> tagged;
    private static List<PathMatcher> listed;

    @BeforeAll
    static void readTagsAndList() throws Exception {
        try (Stream<Path> files = Files.walk(TESTS)) {
            tagged = files.filter(file -> file.toString().endsWith(".java")).filter(EngineExecutionsTest::isTaggedEngines)
                    .map(TESTS::relativize).toList();
        }
        String list = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile())
                .getElementsByTagName("engines.tests").item(0).getTextContent();
        listed = Arrays.stream(list.split(",")).map(String::strip)
                .map(pattern -> FileSystems.getDefault().getPathMatcher("glob:" + pattern)).toList();
    }

    @Test
    void listsEveryClassTaggedEngines() {
        assertThat(tagged).isNotEmpty()
                .allSatisfy(file -> assertThat(listed).as("an engines.tests pattern matching %s", file)
                        .anyMatch(pattern -> pattern.matches(file)));
    }

    @Test
    void listsOnlyClassesTaggedEngines() throws IOException {
        try (Stream<Path> files = Files.walk(TESTS)) {
            List<Path> matched = files.map(TESTS::relativize)
                    .filter(file -> listed.stream().anyMatch(pattern -> pattern.matches(file))).toList();
            assertThat(matched).isNotEmpty().allSatisfy(file -> assertThat(tagged).contains(file));
        }
    }

    private static boolean isTaggedEngines(Path file) {
        try {
            return Files.readString(file).contains("@Tag(\"engines\")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.esmetrics.adapter.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Golden files per test case: {@code src/test/resources/<TestClass>/<case>/}. Run with
 * {@code -Dgolden.update=true} to rewrite the expected files after a deliberate change, then review the diff.
 */
public final class GoldenFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path root;

    private GoldenFiles(Path root) {
        this.root = root;
    }

    public static GoldenFiles of(Class<?> testClass) {
        return new GoldenFiles(Path.of("src/test/resources", testClass.getSimpleName()));
    }

    public List<String> cases() {
        try (Stream<Path> cases = Files.list(root)) {
            return cases.filter(Files::isDirectory).map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String testCase, String file) {
        try {
            return Files.readString(root.resolve(testCase).resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<String> readIfPresent(String testCase, String file) {
        Path path = root.resolve(testCase).resolve(file);
        return Files.exists(path) ? Optional.of(read(testCase, file)) : Optional.empty();
    }

    public JsonNode readJson(String testCase, String file) {
        try {
            return JSON.readTree(read(testCase, file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compares {@code actual} with the expected JSON file, as JSON (formatting aside). */
    public void assertJson(String testCase, String file, Object actual) {
        JsonNode actualTree;
        try {
            // Through text, so that numbers compare by value whatever Java type produced them.
            actualTree = JSON.readTree(JSON.writeValueAsString(actual));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path expected = root.resolve(testCase).resolve(file);
        if (Boolean.getBoolean("golden.update")) {
            try {
                Files.writeString(expected, JSON.writeValueAsString(actualTree) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(actualTree).as("%s/%s", testCase, file).isEqualTo(readJson(testCase, file));
    }
}

package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The search engine an unpacked distribution holds, and what starting it takes. The build runs the whole suite
 * on one Elasticsearch and the tests tagged {@code engines} on every other engine of the support matrix
 * (pom.xml, one surefire execution per engine); each finds its distribution by {@code elasticsearch.distribution}.
 *
 * @param version as in the name of the distribution's main jar, {@code lib/<product>-<version>.jar}
 */
record SearchEngine(Product product, String version) {

    /** Elasticsearch and OpenSearch share a layout; their scripts and environment variables are named apart. */
    enum Product {
        ELASTICSEARCH("Elasticsearch", "elasticsearch", "ES"),
        OPENSEARCH("OpenSearch", "opensearch", "OPENSEARCH");

        private final String displayName;
        private final String fileName;
        private final String environmentPrefix;

        Product(String displayName, String fileName, String environmentPrefix) {
            this.displayName = displayName;
            this.fileName = fileName;
            this.environmentPrefix = environmentPrefix;
        }

        /** {@code bin/elasticsearch} or {@code bin/opensearch}. */
        String startScript() {
            return "bin/" + fileName;
        }

        String javaHomeVariable() {
            return environmentPrefix + "_JAVA_HOME";
        }

        String javaOptionsVariable() {
            return environmentPrefix + "_JAVA_OPTS";
        }

        String tmpDirVariable() {
            return environmentPrefix + "_TMPDIR";
        }

        @Override
        public String toString() {
            return displayName;
        }
    }

    private static final Pattern MAIN_JAR = Pattern.compile("(elasticsearch|opensearch)-(\\d+\\.\\d+\\.\\d+)\\.jar");

    /** The engine of a distribution directory (or of a node's copy of it). */
    static SearchEngine in(Path home) {
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            List<Matcher> found = jars.map(jar -> MAIN_JAR.matcher(jar.getFileName().toString())).filter(Matcher::matches).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("No single elasticsearch-<version>.jar or opensearch-<version>.jar in "
                        + home.resolve("lib") + ": not an Elasticsearch or OpenSearch distribution");
            }
            Product product = found.get(0).group(1).equals("opensearch") ? Product.OPENSEARCH : Product.ELASTICSEARCH;
            return new SearchEngine(product, found.get(0).group(2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int majorVersion() {
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    /** The oldest Java the engine starts on: Elasticsearch 9 refuses anything below 21. */
    int minimumJava() {
        return switch (product) {
            case ELASTICSEARCH -> majorVersion() >= 9 ? 21 : majorVersion() == 8 ? 17 : 8;
            case OPENSEARCH -> 11;
        };
    }

    /**
     * Settings every test node gets: security off where there is security to turn off. OpenSearch's
     * integration-test distribution has no security plugin and knows no {@code xpack.*} setting.
     */
    Map<String, String> defaultSettings() {
        return switch (product) {
            case ELASTICSEARCH -> Map.of("xpack.security.enabled", "false");
            case OPENSEARCH -> Map.of();
        };
    }

    /** Refuses settings the engine would refuse to start with, with a reason a test author can act on. */
    void requireKnown(Map<String, String> settings) {
        if (product == Product.OPENSEARCH) {
            settings.keySet().stream().filter(key -> key.startsWith("xpack.")).findFirst().ifPresent(key -> {
                throw new IllegalStateException(this + " has no setting " + key + ": tests that need Elasticsearch"
                        + " security run on the default engine only, so they must not be tagged \"engines\"");
            });
        }
    }

    @Override
    public String toString() {
        return product + " " + version;
    }
}

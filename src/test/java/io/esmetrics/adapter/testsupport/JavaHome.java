package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JDK a node runs on. The build's own Java (17) starts every engine but Elasticsearch 9, which needs 21; such
 * a JDK is looked for, in this order: the system property {@code es.java.home.<version>} or the environment
 * variable {@code ES_JAVA_HOME_<version>} (e.g. {@code ES_JAVA_HOME_21}), the build's own {@code java.home}, then
 * the JDKs installed where Debian and Ubuntu put them ({@code /usr/lib/jvm}), the oldest that is new enough.
 */
final class JavaHome {

    private static final Path INSTALLED_JDKS = Path.of("/usr/lib/jvm");
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    private JavaHome() {
    }

    /** A JDK home of at least {@code feature} (21 for Java 21), or a failure saying how to provide one. */
    static Path atLeast(int feature, SearchEngine engine) {
        String property = "es.java.home." + feature;
        String variable = "ES_JAVA_HOME_" + feature;
        String explicit = Optional.ofNullable(System.getProperty(property)).orElse(System.getenv(variable));
        if (explicit != null && !explicit.isBlank()) {
            Path home = Path.of(explicit);
            int found = featureVersion(home).orElseThrow(() -> new IllegalStateException(
                    property + " / " + variable + " is " + home + ", which is no JDK (no release file)"));
            if (found < feature) {
                throw new IllegalStateException(property + " / " + variable + " is " + home + ", a Java " + found
                        + "; " + engine + " needs Java " + feature + " or later");
            }
            return home;
        }
        if (Runtime.version().feature() >= feature) {
            return Path.of(System.getProperty("java.home"));
        }
        return installed(feature).orElseThrow(() -> new IllegalStateException(engine + " needs Java " + feature
                + " or later; the build runs on Java " + Runtime.version().feature() + " and " + INSTALLED_JDKS
                + " holds none. Install one, or name its home with -D" + property + "=<jdk> (passed to the tests by"
                + " Maven) or the environment variable " + variable));
    }

    private static Optional<Path> installed(int feature) {
        if (!Files.isDirectory(INSTALLED_JDKS)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(INSTALLED_JDKS)) {
            List<Path> candidates = homes.filter(home -> Files.isExecutable(home.resolve("bin/java"))).toList();
            return candidates.stream()
                    .filter(home -> featureVersion(home).orElse(0) >= feature)
                    .min(Comparator.comparing((Path home) -> featureVersion(home).orElse(0)).thenComparing(Path::toString));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The feature version a JDK's {@code release} file declares: 21 for {@code JAVA_VERSION="21.0.4"}. */
    static Optional<Integer> featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try {
            Matcher matcher = JAVA_VERSION.matcher(Files.readString(release));
            return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

package io.esmetrics.adapter.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every property of every {@code @ConfigMapping} interface of the adapter, with its
 * environment variable and default, and nothing that no longer exists: a property added, renamed or changed in
 * code without the reference fails here.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("docs/configuration.md");
    private static final Path CLASSES = Path.of("target/classes");
    private static final Pattern ROW = Pattern.compile("^\\| `(adapter\\.[^`]+)` \\| (.+?) \\| (.+?) \\| .+\\|$");

    /** A property as the code declares it: its default, if it has one. */
    private record Declared(Optional<String> defaultValue) {
    }

    private record Documented(String environment, String defaultValue) {
    }

    @Test
    void documentsEveryPropertyOfTheCodeAndNoOther() throws IOException {
        Map<String, Declared> declared = declared();
        Map<String, Documented> documented = documented();

        assertThat(declared).as("@ConfigMapping interfaces found").isNotEmpty();
        assertThat(documented.keySet()).as("documented in %s", REFERENCE).containsExactlyInAnyOrderElementsOf(declared.keySet());
    }

    @Test
    void documentsTheDefaultsOfTheCodeAndTheEnvironmentVariablesQuarkusReads() throws IOException {
        Map<String, Declared> declared = declared();

        documented().forEach((name, documented) -> {
            Declared code = declared.get(name);
            if (code == null) {
                return;
            }
            assertThat(documented.defaultValue()).as("default of %s", name)
                    .isEqualTo(code.defaultValue().map(value -> "`" + value + "`").orElse("none"));
            if (!name.contains("<")) {
                assertThat(documented.environment()).as("environment variable of %s", name)
                        .isEqualTo("`" + name.toUpperCase().replaceAll("[^A-Z0-9]", "_") + "`");
            }
        });
    }

    private static Map<String, Documented> documented() throws IOException {
        Map<String, Documented> documented = new TreeMap<>();
        for (String line : Files.readAllLines(REFERENCE)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                assertThat(documented.put(row.group(1), new Documented(row.group(2), row.group(3)))).as("listed twice: %s", row.group(1)).isNull();
            }
        }
        return documented;
    }

    private static Map<String, Declared> declared() throws IOException {
        Map<String, Declared> properties = new TreeMap<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : (Iterable<Path>) files.filter(path -> path.toString().endsWith(".class"))::iterator) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = load(name);
                ConfigMapping mapping = type == null ? null : type.getAnnotation(ConfigMapping.class);
                if (mapping != null) {
                    collect(type, mapping.prefix(), properties);
                }
            }
        }
        return properties;
    }

    private static void collect(Class<?> group, String prefix, Map<String, Declared> properties) {
        for (Method method : group.getMethods()) {
            if (!Modifier.isAbstract(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            WithName renamed = method.getAnnotation(WithName.class);
            String name = prefix + "." + (renamed != null ? renamed.value() : kebab(method.getName()));
            Type type = method.getGenericReturnType();
            if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Map.class
                    && parameterized.getActualTypeArguments()[1] instanceof Class<?> values && isGroup(values)) {
                collect(values, name + ".<metric>", properties);
            } else if (method.getReturnType().isInterface() && isGroup(method.getReturnType())) {
                collect(method.getReturnType(), name, properties);
            } else {
                WithDefault defaultValue = method.getAnnotation(WithDefault.class);
                properties.put(name, new Declared(Optional.ofNullable(defaultValue).map(WithDefault::value)));
            }
        }
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("io.esmetrics.");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ConfigurationReferenceTest.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}

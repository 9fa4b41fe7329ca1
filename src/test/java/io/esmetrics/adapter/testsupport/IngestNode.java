package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An OpenSearch node that runs ingest pipelines as a real cluster does. The integ-test distributions of both engines
 * ship no ingest processor and no script engine; OpenSearch publishes its modules on Maven Central (the build copies
 * their jars into {@code target/opensearch-modules}), Elasticsearch does not. This adds to a node's home the three
 * modules the shipped final pipeline uses: ingest-common (its processors), lang-painless (its script and every
 * {@code if}) and lang-mustache ({@code {{{_ingest.timestamp}}}}), with the descriptors and security policies of the
 * real modules.
 */
public final class IngestNode {

    private record Module(String name, String classname, String extendedPlugins, String securityPolicy) {
    }

    private static final List<Module> MODULES = List.of(
            new Module("lang-painless", "org.opensearch.painless.PainlessPlugin", "", """
                    grant {
                      // Painless compiles each script to a class of its own
                      permission java.lang.RuntimePermission "createClassLoader";
                      permission java.lang.RuntimePermission "getClassLoader";
                    };
                    """),
            new Module("lang-mustache", "org.opensearch.script.mustache.MustachePlugin", "", """
                    grant {
                      // mustache.java finds template values by reflection
                      permission java.lang.RuntimePermission "accessDeclaredMembers";
                    };
                    """),
            // Extends lang-painless: its script processor and conditions are painless.
            new Module("ingest-common", "org.opensearch.ingest.common.IngestCommonPlugin", "lang-painless", null));

    private IngestNode() {
    }

    /** Starts a single-node OpenSearch (the build's {@code opensearch.distribution}) with the ingest modules. */
    public static ElasticsearchProcess start() {
        Path distribution = requiredDirectory("opensearch.distribution");
        Path modules = requiredDirectory("opensearch.modules");
        SearchEngine engine = SearchEngine.in(distribution);
        return ElasticsearchProcess.start(distribution, Map.of(), home -> install(modules, home, engine.version()),
                ElasticsearchProcess.AdminAccess.PLAIN);
    }

    private static void install(Path modules, Path home, String version) throws IOException {
        for (Module module : MODULES) {
            Path target = Files.createDirectories(home.resolve("modules").resolve(module.name()));
            try (Stream<Path> jars = Files.list(modules.resolve(module.name()))) {
                for (Path jar : (Iterable<Path>) jars::iterator) {
                    Files.copy(jar, target.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.writeString(target.resolve("plugin-descriptor.properties"), """
                    description=%s, from Maven Central
                    version=%s
                    name=%s
                    classname=%s
                    java.version=11
                    opensearch.version=%s
                    extended.plugins=%s
                    has.native.controller=false
                    """.formatted(module.name(), version, module.name(), module.classname(), version, module.extendedPlugins()));
            if (module.securityPolicy() != null) {
                Files.writeString(target.resolve("plugin-security.policy"), module.securityPolicy());
            }
        }
    }

    private static Path requiredDirectory(String property) {
        String configured = System.getProperty(property);
        if (configured == null || !Files.isDirectory(Path.of(configured))) {
            throw new IllegalStateException("No directory at " + property + "=" + configured
                    + "; run the tests through Maven, which prepares it (mvn verify)");
        }
        return Path.of(configured);
    }
}

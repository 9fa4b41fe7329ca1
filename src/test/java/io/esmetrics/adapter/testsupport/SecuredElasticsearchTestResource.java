package io.esmetrics.adapter.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Points the adapter at the secured node, with credentials in files as a mounted Secret provides them.
 * Argument {@code mode}: {@code basic} (user and password files) or {@code bearer} (service token file).
 */
public final class SecuredElasticsearchTestResource implements QuarkusTestResourceLifecycleManager {

    public static final Path SECRETS = Path.of("target", "test-secrets").toAbsolutePath();
    private String mode = "basic";

    @Override
    public void init(Map<String, String> initArgs) {
        mode = initArgs.getOrDefault("mode", "basic");
    }

    @Override
    public Map<String, String> start() {
        SecuredElasticsearch elasticsearch = SecuredElasticsearch.get();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.elasticsearch.hosts", elasticsearch.node().hostAndPort());
        config.put("quarkus.elasticsearch.protocol", "https");
        config.put("adapter.elasticsearch.tls.ca-file", elasticsearch.ca().certFile().toString());
        config.put("adapter.elasticsearch.auth.mode", mode);
        if (mode.equals("basic")) {
            config.put("adapter.elasticsearch.auth.username-file", writeSecret("username", SecuredElasticsearch.USER).toString());
            config.put("adapter.elasticsearch.auth.password-file", writeSecret("password", SecuredElasticsearch.PASSWORD + "\n").toString());
        } else {
            config.put("adapter.elasticsearch.auth.token-file", writeSecret("token", elasticsearch.serviceToken()).toString());
        }
        return config;
    }

    @Override
    public void stop() {
        // The node is shared by every test class using it: stopped once, by StopElasticsearchAfterTests.
    }

    public static Path writeSecret(String name, String value) {
        try {
            Files.createDirectories(SECRETS);
            return Files.writeString(SECRETS.resolve(name), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

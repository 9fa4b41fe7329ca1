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
 * Argument {@code mode}: {@code basic} (user and password files), {@code basic-without-events} (the same for a user
 * without the read privilege on the event indices), {@code bearer} (service token file) or
 * {@code certificate} (client certificate and CA bundle files, both issued by CAs the node does not know until the
 * test rotates the right ones in with {@link #writeTrustedCa} and {@link #writeTrustedClientCertificate}).
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
        if (mode.equals("certificate")) {
            config.put("adapter.elasticsearch.auth.mode", "none");
            Path pki = Path.of("target", "test-pki", "unknown-to-elasticsearch").toAbsolutePath();
            TestPki.Issued unknownCa = TestPki.ca(pki, "unknown-ca");
            TestPki.Issued unknownClient = TestPki.clientCertificate(pki, "unknown-client", unknownCa, SecuredElasticsearch.CERTIFICATE_SUBJECT);
            config.put("adapter.elasticsearch.tls.ca-file", copySecret("ca.crt", unknownCa.certFile()).toString());
            config.put("adapter.elasticsearch.tls.cert-file", copySecret("client.crt", unknownClient.certFile()).toString());
            config.put("adapter.elasticsearch.tls.key-file", copySecret("client.key", unknownClient.keyFile()).toString());
            config.put("adapter.elasticsearch.tls.reload-interval", "200ms");
            // Every attempt before the rotation fails: probe again soon after it, not after a long pause.
            config.put("adapter.elasticsearch.circuit-breaker.initial-pause", "200ms");
            config.put("adapter.elasticsearch.circuit-breaker.max-pause", "1s");
            return config;
        }
        config.put("adapter.elasticsearch.auth.mode", mode.startsWith("basic") ? "basic" : mode);
        if (mode.startsWith("basic")) {
            String user = mode.equals("basic") ? SecuredElasticsearch.USER : SecuredElasticsearch.USER_WITHOUT_EVENTS;
            config.put("adapter.elasticsearch.auth.username-file", writeSecret("username", user).toString());
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

    /** Mode {@code certificate}: the node's CA into the CA bundle. */
    public static void writeTrustedCa() {
        copySecret("ca.crt", SecuredElasticsearch.get().ca().certFile());
    }

    /** Mode {@code certificate}: the client certificate the node's PKI realm knows, key first as a Secret update may. */
    public static void writeTrustedClientCertificate() {
        copySecret("client.key", SecuredElasticsearch.get().clientCertificate().keyFile());
        copySecret("client.crt", SecuredElasticsearch.get().clientCertificate().certFile());
    }

    private static Path copySecret(String name, Path source) {
        try {
            return writeSecret(name, Files.readString(source));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

package io.esmetrics.adapter.testsupport;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess.AdminAccess;
import io.esmetrics.adapter.testsupport.TestPki.Issued;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second real node with security on, as production clusters run: TLS on HTTP with a test CA, a file-realm
 * user ({@value #USER}) and a service account token. Started on first use, stopped with the shared node.
 */
public final class SecuredElasticsearch {

    public static final String USER = "adapter";
    /** A user who may search, but not the event indices: Elasticsearch leaves them out of its wildcards. */
    public static final String USER_WITHOUT_EVENTS = "adapter-without-events";
    /**
     * A user with the role k8s/elasticsearch/setup-users.sh gives the adapter (its body read from the script, a file
     * realm's role here: the integ-test distributions cannot hold native roles).
     */
    public static final String USER_WITH_SHIPPED_ROLE = "adapter-shipped-role";
    /** A user with the role k8s/elasticsearch/setup-users.sh gives Logstash, the only writer of the event indices. */
    public static final String USER_WITH_WRITER_ROLE = "logstash-shipped-role";
    private static final Pattern SHIPPED_ROLE = Pattern.compile("_security/role/(\\w+)\" \\\\\\s*-d '([^']*)'");
    /** The subject of the client certificate the PKI realm maps to a role. */
    public static final String CERTIFICATE_SUBJECT = "CN=adapter-client";
    /** One per test JVM, whichever class loader asks first (see {@link #get()}). */
    public static final String PASSWORD = System.getProperties()
            .computeIfAbsent("es-metrics-adapter.test.secured-password", key -> "adapter-password-" + UUID.randomUUID()).toString();
    private static final String NODE = "es-metrics-adapter.test.secured-node";
    private static final String PKI = "es-metrics-adapter.test.secured-pki";
    private static final String SERVICE_TOKEN = "es-metrics-adapter.test.secured-service-token";
    private static final Pattern TOKEN = Pattern.compile("SERVICE_TOKEN \\S+ = (\\S+)");

    private static SecuredElasticsearch instance;

    private final ElasticsearchProcess node;
    private final Issued ca;
    private final Issued clientCertificate;
    private final String serviceToken;

    private SecuredElasticsearch(ElasticsearchProcess node, Issued ca, Issued clientCertificate, String serviceToken) {
        this.node = node;
        this.ca = ca;
        this.clientCertificate = clientCertificate;
        this.serviceToken = serviceToken;
    }

    /**
     * The secured node of the test run. Quarkus loads the test resources of each profile in a class loader of its own:
     * the node, its certificates (files, read back by name) and its token are found again through system properties
     * instead of starting a node per profile.
     */
    public static synchronized SecuredElasticsearch get() {
        if (instance == null || !instance.node.isAlive()) {
            Path pki = Path.of(System.getProperties().computeIfAbsent(PKI,
                    key -> Path.of("target", "test-pki", "secured-elasticsearch-" + UUID.randomUUID()).toAbsolutePath().toString()).toString());
            Issued ca = TestPki.ca(pki, "elasticsearch-ca");
            instance = ElasticsearchProcess.attach(System.getProperty(NODE), adminAccess(ca))
                    .map(node -> new SecuredElasticsearch(node, ca, clientCertificate(pki), System.getProperty(SERVICE_TOKEN)))
                    .orElseGet(() -> start(pki, ca));
        }
        return instance;
    }

    private static AdminAccess adminAccess(Issued ca) {
        return new AdminAccess("https", TestPki.sslContext(null, ca),
                "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    private static Issued clientCertificate(Path pki) {
        return TestPki.clientCertificate(pki, "adapter-client", TestPki.ca(pki, "elasticsearch-client-ca"), CERTIFICATE_SUBJECT);
    }

    static synchronized void stop() {
        if (instance != null) {
            instance.node.close();
            instance = null;
        }
    }

    public ElasticsearchProcess node() {
        return node;
    }

    public Issued ca() {
        return ca;
    }

    /** A client certificate the node's PKI realm authenticates (subject {@link #CERTIFICATE_SUBJECT}). */
    public Issued clientCertificate() {
        return clientCertificate;
    }

    public String serviceToken() {
        return serviceToken;
    }

    /** Sends a request as one of the node's file-realm users ({@link #PASSWORD}), over TLS trusting its CA. */
    public HttpResponse<String> send(String user, String method, String path, String body) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return TestPki.anonymousClientTrusting(ca).send(HttpRequest.newBuilder(node.uri(path)).header("Authorization", "Basic " + basic)
                .header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SecuredElasticsearch start(Path pki, Issued ca) {
        Issued http = TestPki.serverCertificate(pki, "elasticsearch-http", ca, "localhost", List.of("localhost", "127.0.0.1"));
        Issued clientCa = TestPki.ca(pki, "elasticsearch-client-ca");
        Issued client = TestPki.clientCertificate(pki, "adapter-client", clientCa, CERTIFICATE_SUBJECT);
        String[] token = new String[1];
        ElasticsearchProcess node = ElasticsearchProcess.start(Map.of(
                        "xpack.security.enabled", "true",
                        "xpack.security.http.ssl.enabled", "true",
                        "xpack.security.http.ssl.certificate", "certs/http.crt",
                        "xpack.security.http.ssl.key", "certs/http.key",
                        // Client certificates are optional: the other clients authenticate by password or token.
                        "xpack.security.http.ssl.client_authentication", "optional",
                        "xpack.security.http.ssl.certificate_authorities", "certs/client-ca.crt",
                        // Naming one realm disables the implicit ones: the file realm is named too.
                        "xpack.security.authc.realms.file.file1.order", "0",
                        "xpack.security.authc.realms.pki.pki1.order", "1",
                        // Without a paid licence Elasticsearch skips the PKI realm: a trial licence has it.
                        "xpack.license.self_generated.type", "trial"),
                home -> {
                    Path certs = Files.createDirectories(home.resolve("config/certs"));
                    Files.copy(http.certFile(), certs.resolve("http.crt"));
                    Files.copy(http.keyFile(), certs.resolve("http.key"));
                    Files.copy(clientCa.certFile(), certs.resolve("client-ca.crt"));
                    Files.writeString(home.resolve("config/role_mapping.yml"), "superuser:\n  - \"" + CERTIFICATE_SUBJECT + "\"\n");
                    // JSON is YAML: each role's body as the script sends it.
                    StringBuilder shippedRoles = new StringBuilder();
                    Matcher shipped = SHIPPED_ROLE.matcher(Files.readString(Path.of("k8s/elasticsearch/setup-users.sh")));
                    while (shipped.find()) {
                        shippedRoles.append(shipped.group(1)).append(": ").append(shipped.group(2)).append('\n');
                    }
                    for (String role : List.of("es_metrics_adapter_reader", "ai_events_writer")) {
                        if (!shippedRoles.toString().contains(role + ": ")) {
                            throw new IllegalStateException("no role " + role + " in setup-users.sh");
                        }
                    }
                    Files.writeString(home.resolve("config/roles.yml"), """
                            other_indices_reader:
                              indices:
                                - names: ["other-events-*"]
                                  privileges: ["read", "view_index_metadata"]
                            """ + shippedRoles);
                    ElasticsearchProcess.runTool(home, "elasticsearch-users", "useradd", USER, "-p", PASSWORD, "-r", "superuser");
                    ElasticsearchProcess.runTool(home, "elasticsearch-users", "useradd", USER_WITHOUT_EVENTS, "-p", PASSWORD,
                            "-r", "other_indices_reader");
                    ElasticsearchProcess.runTool(home, "elasticsearch-users", "useradd", USER_WITH_SHIPPED_ROLE, "-p", PASSWORD,
                            "-r", "es_metrics_adapter_reader");
                    ElasticsearchProcess.runTool(home, "elasticsearch-users", "useradd", USER_WITH_WRITER_ROLE, "-p", PASSWORD,
                            "-r", "ai_events_writer");
                    String created = ElasticsearchProcess.runTool(home, "elasticsearch-service-tokens", "create", "elastic/fleet-server", "adapter");
                    Matcher matcher = TOKEN.matcher(created);
                    if (!matcher.find()) {
                        throw new IllegalStateException("no token in: " + created);
                    }
                    token[0] = matcher.group(1);
                },
                adminAccess(ca));
        node.installEventIndexTemplate();
        System.setProperty(SERVICE_TOKEN, token[0]);
        System.setProperty(NODE, node.descriptor());
        return new SecuredElasticsearch(node, ca, client, token[0]);
    }
}

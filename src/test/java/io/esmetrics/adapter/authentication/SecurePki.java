package io.esmetrics.adapter.authentication;

import io.esmetrics.adapter.testsupport.Kubectl;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.esmetrics.adapter.testsupport.TestPki;
import io.esmetrics.adapter.testsupport.TestPki.Issued;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The certificates of a small cluster: serving, front proxy (the aggregator), clients, and impostors. */
public final class SecurePki {

    /** One directory per test JVM, shared by the class loaders of the tests and of the Quarkus test profile. */
    public static final Path DIR = Path.of((String) System.getProperties().computeIfAbsent("es-metrics-adapter.test-pki",
            key -> Path.of("target", "test-pki", UUID.randomUUID().toString()).toAbsolutePath().toString()));
    public static final Issued SERVING_CA = TestPki.ca(DIR, "serving-ca");
    public static final Issued SERVING = TestPki.serverCertificate(DIR, "serving", SERVING_CA, "es-metrics-adapter",
            List.of("localhost", "127.0.0.1", "es-metrics-adapter.es-metrics-adapter.svc"));
    public static final Issued FRONT_PROXY_CA = TestPki.ca(DIR, "front-proxy-ca");
    public static final Issued AGGREGATOR = TestPki.clientCertificate(DIR, "aggregator", FRONT_PROXY_CA, "CN=front-proxy-client");
    public static final Issued NOT_ALLOWED_PROXY = TestPki.clientCertificate(DIR, "not-allowed-proxy", FRONT_PROXY_CA, "CN=someone-else");
    public static final Issued ROTATED_FRONT_PROXY_CA = TestPki.ca(DIR, "front-proxy-ca-2");
    public static final Issued ROTATED_AGGREGATOR = TestPki.clientCertificate(DIR, "rotated-aggregator", ROTATED_FRONT_PROXY_CA, "CN=front-proxy-client");
    public static final Issued CLIENT_CA = TestPki.ca(DIR, "client-ca");
    public static final Issued ALICE = TestPki.clientCertificate(DIR, "alice", CLIENT_CA, "CN=alice,O=metrics-readers,O=team-a");
    public static final Issued EXPIRED_ALICE = TestPki.clientCertificate(DIR, "expired-alice", CLIENT_CA, "CN=alice,O=metrics-readers",
            Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)));
    public static final Issued OTHER_CA = TestPki.ca(DIR, "other-ca");
    public static final Issued ROGUE_AGGREGATOR = TestPki.clientCertificate(DIR, "rogue-aggregator", OTHER_CA, "CN=front-proxy-client");

    private SecurePki() {
    }

    /** kubectl as alice (her client certificate), trusting the serving CA, against the adapter at {@code port}. */
    public static Kubectl kubectlAsAlice(Path dir, int port) throws IOException {
        Base64.Encoder base64 = Base64.getEncoder();
        return Kubectl.configure(dir, "https://localhost:" + port,
                Map.of("certificate-authority-data", base64.encodeToString(SERVING_CA.certificatePem().getBytes())),
                Map.of("client-certificate-data", base64.encodeToString(ALICE.certificatePem().getBytes()),
                        "client-key-data", base64.encodeToString(ALICE.keyPem().getBytes())));
    }

    /** A GET of {@code path} on the adapter's HTTPS port, with {@code headers} as name, value pairs. */
    public static HttpResponse<String> send(HttpClient http, int port, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Writes {@code data} as kube-system/extension-apiserver-authentication, as the API server publishes it: what the
     * adapter trusts for client certificates and the front proxy, read and watched through the Kubernetes API.
     */
    public static void publishExtensionApiserverAuthentication(KubernetesClient client, Map<String, String> data) {
        client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("extension-apiserver-authentication").withNamespace("kube-system").endMetadata()
                .withData(data)
                .build()).createOr(NonDeletingOperation::update);
    }

    /** The data of kube-system/extension-apiserver-authentication, trusting {@code frontProxyCa}. */
    public static Map<String, String> extensionApiserverAuthentication(Issued frontProxyCa) {
        return Map.of(
                "client-ca-file", CLIENT_CA.certificatePem(),
                "requestheader-client-ca-file", frontProxyCa.certificatePem(),
                "requestheader-allowed-names", "[\"front-proxy-client\"]",
                "requestheader-username-headers", "[\"X-Remote-User\"]",
                "requestheader-group-headers", "[\"X-Remote-Group\"]",
                "requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]");
    }

    /** As a Kubernetes 1.32+ API server writes it: the uid header too. */
    public static Map<String, String> extensionApiserverAuthenticationWithUid(Issued frontProxyCa) {
        Map<String, String> data = new java.util.HashMap<>(extensionApiserverAuthentication(frontProxyCa));
        data.put("requestheader-uid-headers", "[\"X-Remote-Uid\"]");
        return data;
    }
}

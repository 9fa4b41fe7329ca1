package io.esmetrics.adapter.authentication;

import io.esmetrics.adapter.testsupport.TestPki;
import io.esmetrics.adapter.testsupport.TestPki.Issued;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The certificates of a small cluster: serving, front proxy (the aggregator), clients, and impostors. */
final class SecurePki {

    /** One directory per test JVM, shared by the class loaders of the tests and of the Quarkus test profile. */
    static final Path DIR = Path.of((String) System.getProperties().computeIfAbsent("es-metrics-adapter.test-pki",
            key -> Path.of("target", "test-pki", UUID.randomUUID().toString()).toAbsolutePath().toString()));
    static final Issued SERVING_CA = TestPki.ca(DIR, "serving-ca");
    static final Issued SERVING = TestPki.serverCertificate(DIR, "serving", SERVING_CA, "es-metrics-adapter",
            List.of("localhost", "127.0.0.1", "es-metrics-adapter.es-metrics-adapter.svc"));
    static final Issued FRONT_PROXY_CA = TestPki.ca(DIR, "front-proxy-ca");
    static final Issued AGGREGATOR = TestPki.clientCertificate(DIR, "aggregator", FRONT_PROXY_CA, "CN=front-proxy-client");
    static final Issued NOT_ALLOWED_PROXY = TestPki.clientCertificate(DIR, "not-allowed-proxy", FRONT_PROXY_CA, "CN=someone-else");
    static final Issued ROTATED_FRONT_PROXY_CA = TestPki.ca(DIR, "front-proxy-ca-2");
    static final Issued ROTATED_AGGREGATOR = TestPki.clientCertificate(DIR, "rotated-aggregator", ROTATED_FRONT_PROXY_CA, "CN=front-proxy-client");
    static final Issued CLIENT_CA = TestPki.ca(DIR, "client-ca");
    static final Issued ALICE = TestPki.clientCertificate(DIR, "alice", CLIENT_CA, "CN=alice,O=metrics-readers,O=team-a");
    static final Issued EXPIRED_ALICE = TestPki.clientCertificate(DIR, "expired-alice", CLIENT_CA, "CN=alice,O=metrics-readers",
            Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)));
    static final Issued OTHER_CA = TestPki.ca(DIR, "other-ca");
    static final Issued ROGUE_AGGREGATOR = TestPki.clientCertificate(DIR, "rogue-aggregator", OTHER_CA, "CN=front-proxy-client");

    private SecurePki() {
    }

    /** The data of kube-system/extension-apiserver-authentication, trusting {@code frontProxyCa}. */
    static Map<String, String> extensionApiserverAuthentication(Issued frontProxyCa) {
        return Map.of(
                "client-ca-file", CLIENT_CA.certificatePem(),
                "requestheader-client-ca-file", frontProxyCa.certificatePem(),
                "requestheader-allowed-names", "[\"front-proxy-client\"]",
                "requestheader-username-headers", "[\"X-Remote-User\"]",
                "requestheader-group-headers", "[\"X-Remote-Group\"]",
                "requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]");
    }

    /** As a Kubernetes 1.32+ API server writes it: the uid header too. */
    static Map<String, String> extensionApiserverAuthenticationWithUid(Issued frontProxyCa) {
        Map<String, String> data = new java.util.HashMap<>(extensionApiserverAuthentication(frontProxyCa));
        data.put("requestheader-uid-headers", "[\"X-Remote-Uid\"]");
        return data;
    }
}

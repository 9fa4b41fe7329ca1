package io.esmetrics.adapter.servingcert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.ServiceHostHttps;
import io.esmetrics.adapter.testsupport.TestPki;
import io.esmetrics.adapter.tls.PemCertificates;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Someone who could create Secrets in the adapter's namespace got there first: the Secret es-metrics-adapter-tls
 * holds their CA and a certificate that does not chain to it. The adapter refuses it, makes its own, serves that and
 * trusts (in the APIService's caBundle) only its own CA. Forgeries of a Secret the adapter made, and a CA added to the
 * caBundle: {@link SelfManagedCertificateTest}.
 */
@QuarkusTest
@TestProfile(SelfManagedCertificateTest.SelfManaged.class)
@WithKubernetesTestServer(crud = true, setup = ServingSecretAdoptionTest.CreatedFirstByAnAttacker.class)
class ServingSecretAdoptionTest {

    private static final Path PKI = Path.of("target", "ServingSecretAdoptionTest");
    private static final String NAMESPACE = "es-metrics-adapter";
    private static final String SECRET = "es-metrics-adapter-tls";
    private static final String DISCOVERY = "/apis/external.metrics.k8s.io/v1beta1";

    /** The APIService as apiservice.yaml makes it, and the attacker's Secret, before the adapter starts. */
    public static final class CreatedFirstByAnAttacker implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            new ApiServiceApplied().accept(server);
            TestPki.Issued claimed = attackerCa();
            TestPki.Issued signer = TestPki.ca(PKI, "attacker-signing-ca");
            TestPki.Issued certificate = TestPki.serverCertificate(PKI, "attacker-serving", signer, SelfManagedCertificateTest.SERVICE_HOST,
                    List.of(SelfManagedCertificateTest.SERVICE_HOST, "es-metrics-adapter"));
            server.getClient().secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
                    .withNewMetadata().withName(SECRET).withNamespace(NAMESPACE).endMetadata()
                    .withType("kubernetes.io/tls")
                    .withData(Map.of("ca.crt", base64(claimed.certificatePem()), "ca.key", base64(claimed.keyPem()),
                            "tls.crt", base64(certificate.certificatePem()), "tls.key", base64(certificate.keyPem())))
                    .build()).create();
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry registry;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Test
    void replacesASecretCreatedFirstWhoseCertificateDoesNotChainToItsCa() throws Exception {
        String caBundle = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());

        assertThat(caBundle).doesNotContain(body(attackerCa().certificatePem()));
        assertThat(decoded(secret().getData().get("ca.crt"))).isEqualTo(caBundle);
        X509Certificate stored = PemCertificates.parse(decoded(secret().getData().get("tls.crt")).getBytes(StandardCharsets.US_ASCII)).get(0);
        ServiceHostHttps.Answer answer = ServiceHostHttps.get(caBundle, https.getPort(), SelfManagedCertificateTest.SERVICE_HOST, DISCOVERY);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.served()).isEqualTo(stored);
        assertThat(refused("not-signed-by-ca")).isGreaterThanOrEqualTo(1);
    }

    private static TestPki.Issued attackerCa() {
        return TestPki.ca(PKI, "attacker-claimed-ca");
    }

    private double refused(String reason) {
        return registry.get("esmetrics.serving.certificate.refused").tag("reason", reason).counter().count();
    }

    private Secret secret() {
        return client.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
    }

    private String caBundle() {
        APIService apiService = client.resources(APIService.class).withName(ApiServiceApplied.NAME).get();
        String bundle = apiService == null ? null : apiService.getSpec().getCaBundle();
        return bundle == null ? "" : decoded(bundle);
    }

    private static String body(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").strip();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String decoded(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}

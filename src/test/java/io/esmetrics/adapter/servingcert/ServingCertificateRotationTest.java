package io.esmetrics.adapter.servingcert;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.testsupport.ServiceHostHttps;
import io.esmetrics.adapter.tls.PemCertificates;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rotation in seconds (CAs of 30 s, a new one 12 s before the old expires and trusted 2 s before it signs;
 * certificates of 8 s renewed 5 s before), watched by a client that, like the aggregator, reads the APIService's
 * caBundle and verifies the Service's name on every request, as fast as it can: across the first CA's serving
 * certificates, the overlap, the switch to the second CA and the first one's expiry, not one request fails.
 */
@QuarkusTest
@TestProfile(ServingCertificateRotationTest.RotatingInSeconds.class)
@WithKubernetesTestServer(crud = true, setup = ApiServiceApplied.class)
class ServingCertificateRotationTest {

    public static final class RotatingInSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("adapter.serving.tls", "true"),
                    Map.entry("adapter.serving.self-managed", "true"),
                    Map.entry("adapter.serving.reload-interval", "200ms"),
                    Map.entry("adapter.serving.ca-lifetime", "30s"),
                    Map.entry("adapter.serving.ca-renew-before", "12s"),
                    Map.entry("adapter.serving.certificate-lifetime", "8s"),
                    Map.entry("adapter.serving.certificate-renew-before", "5s"),
                    Map.entry("adapter.serving.ca-trust-delay", "2s"),
                    Map.entry("quarkus.kubernetes-client.namespace", "es-metrics-adapter"),
                    Map.entry("quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN"));
        }
    }

    @Inject
    KubernetesClient client;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Test
    void rotatesCertificatesAndTheCaWithoutAFailedRequest() throws Exception {
        Set<BigInteger> servedCertificates = new LinkedHashSet<>();
        Set<BigInteger> signingCas = new LinkedHashSet<>();
        List<Integer> bundleSizes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        String first = awaitCaBundle();
        X509Certificate firstCa = PemCertificates.parse(first.getBytes(StandardCharsets.US_ASCII)).get(0);
        Instant end = firstCa.getNotAfter().toInstant().plusSeconds(3);
        int requests = 0;
        while (Instant.now().isBefore(end)) {
            String caBundle = caBundle();
            if (caBundle.isEmpty()) {
                continue;
            }
            List<X509Certificate> trusted = PemCertificates.parse(caBundle.getBytes(StandardCharsets.US_ASCII));
            bundleSizes.add(trusted.size());
            try {
                ServiceHostHttps.Answer answer = ServiceHostHttps.get(caBundle, https.getPort(), SelfManagedCertificateTest.SERVICE_HOST,
                        "/apis/external.metrics.k8s.io/v1beta1");
                requests++;
                if (answer.status() != 200) {
                    failures.add("HTTP " + answer.status());
                }
                servedCertificates.add(answer.served().getSerialNumber());
                trusted.stream().filter(ca -> Rotation.signedBy(answer.served(), ca.getPublicKey())).findFirst()
                        .ifPresent(ca -> signingCas.add(ca.getSerialNumber()));
            } catch (Exception e) {
                failures.add(e.toString());
            }
        }

        assertThat(failures).as("failed requests of %d", requests).isEmpty();
        assertThat(servedCertificates).as("serving certificates seen").hasSizeGreaterThanOrEqualTo(3);
        assertThat(signingCas).as("CAs that signed what was served, in order").hasSize(2);
        assertThat(bundleSizes).as("the caBundle held two CAs during the overlap, one before and after").contains(1, 2);
        assertThat(bundleSizes.get(bundleSizes.size() - 1)).isEqualTo(1);
    }

    private String awaitCaBundle() {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());
    }

    private String caBundle() {
        APIService apiService = client.resources(APIService.class).withName(ApiServiceApplied.NAME).get();
        String bundle = apiService == null ? null : apiService.getSpec().getCaBundle();
        return bundle == null ? "" : new String(Base64.getDecoder().decode(bundle), StandardCharsets.US_ASCII);
    }
}

package io.esmetrics.adapter.servingcert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.cluster.OwnNamespace;
import io.esmetrics.adapter.testsupport.ServiceHostHttps;
import io.esmetrics.adapter.testsupport.TestPki;
import io.esmetrics.adapter.tls.ServingCertificateChanged;
import io.esmetrics.adapter.tls.ServingConfig;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bare cluster (the mock API server, CRUD mode): no Secret, and apiservice.yaml applied with no caBundle. The
 * adapter makes its CA and certificate, keeps them in one Secret, fills the APIService's caBundle, and a client
 * trusting only that caBundle, verifying the Service's name as the aggregator does, gets an answer.
 */
@QuarkusTest
@TestProfile(SelfManagedCertificateTest.SelfManaged.class)
@WithKubernetesTestServer(crud = true, setup = ApiServiceApplied.class)
class SelfManagedCertificateTest {

    /** Production serving (HTTPS, self-managed), in namespace es-metrics-adapter; no authentication: TLS is the subject. */
    public static final class SelfManaged implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "adapter.serving.tls", "true",
                    "adapter.serving.self-managed", "true",
                    "adapter.serving.reload-interval", "300ms",
                    "quarkus.kubernetes-client.namespace", "es-metrics-adapter",
                    "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
        }
    }

    static final String SERVICE_HOST = "es-metrics-adapter.es-metrics-adapter.svc";
    private static final String DISCOVERY = "/apis/external.metrics.k8s.io/v1beta1";
    private static final Path PKI = Path.of("target", "SelfManagedCertificateTest");

    @Inject
    KubernetesClient client;

    @Inject
    ServingConfig config;

    @Inject
    OwnNamespace ownNamespace;

    @Inject
    MeterRegistry registry;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    /** Every test leaves the APIService this adapter's, as apiservice.yaml makes it. */
    @AfterEach
    void apiServiceIsOurs() {
        APIService current = client.resources(APIService.class).withName(ApiServiceApplied.NAME).get();
        if (current == null || !"es-metrics-adapter".equals(current.getSpec().getService().getName())) {
            client.resources(APIService.class).withName(ApiServiceApplied.NAME).delete();
            await().until(() -> client.resources(APIService.class).withName(ApiServiceApplied.NAME).get() == null);
            client.resources(APIService.class).resource(ApiServiceApplied.ours()).create();
        }
    }

    @Test
    void fillsTheCaBundleWithTheCaOfTheCertificateItServesWhichVerifiesForTheServiceName() throws Exception {
        String caBundle = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());

        Secret secret = client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-tls").get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).as("the serving pair, without the CA key").containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        assertThat(decoded(secret.getData().get("ca.crt"))).isEqualTo(caBundle);
        Secret ca = caSecret();
        assertThat(ca.getType()).isEqualTo("Opaque");
        assertThat(ca.getData()).containsOnlyKeys("ca.crt", "ca.key");
        assertThat(decoded(ca.getData().get("ca.crt"))).isEqualTo(caBundle);
        ServiceHostHttps.Answer answer = ServiceHostHttps.get(caBundle, https.getPort(), SERVICE_HOST, DISCOVERY);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.served().getSubjectAlternativeNames().stream().map(name -> (String) name.get(1)).toList()).containsExactlyInAnyOrder(
                SERVICE_HOST, "es-metrics-adapter", "es-metrics-adapter.es-metrics-adapter",
                "es-metrics-adapter.es-metrics-adapter.svc.cluster.local");
        assertThat(registry.get("esmetrics.apiservice.state").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("esmetrics.serving.certificate.expiry").gauge().value())
                .isEqualTo((double) answer.served().getNotAfter().toInstant().getEpochSecond());
    }

    /** The aggregator verifies the Service's name: a certificate for other names is refused, whatever signed it. */
    @Test
    void isRefusedForANameItIsNotFor() {
        String caBundle = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());

        assertThatThrownBy(() -> ServiceHostHttps.get(caBundle, https.getPort(), "other-adapter.other.svc", DISCOVERY))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aSecondInstanceServesTheSameCa() {
        String caBundle = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());
        SelfManagedCertificate second = new SelfManagedCertificate(config, () -> client, ownNamespace, changed -> { }, Clock.systemUTC(), registry);
        try {
            assertThat(second.start()).get().extracting(ServingCertificateChanged::caBundle).isEqualTo(caBundle);
        } finally {
            second.stop(null);
        }
    }

    /** Replicas that find no Secret all create one: one wins, and the others serve what it wrote. */
    @Test
    void replicasStartingTogetherWithoutASecretEndWithTheSameOne() {
        client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-tls").delete();
        List<SelfManagedCertificate> replicas = new ArrayList<>();
        IntStream.range(0, 3).forEach(i -> replicas.add(new SelfManagedCertificate(config, () -> client, ownNamespace,
                changed -> { }, Clock.systemUTC(), registry)));
        try {
            List<CompletableFuture<String>> started = replicas.stream()
                    .map(replica -> CompletableFuture.supplyAsync(() -> replica.start().orElseThrow().caBundle())).toList();

            List<String> bundles = started.stream().map(CompletableFuture::join).toList();
            String stored = decoded(client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-tls").get()
                    .getData().get("ca.crt"));
            assertThat(bundles).containsOnly(stored);
            // The running adapter follows the Secret too, and the APIService's caBundle with it.
            await().atMost(Duration.ofSeconds(20)).until(() -> caBundle().equals(stored));
        } finally {
            replicas.forEach(replica -> replica.stop(null));
        }
    }

    /**
     * A serving Secret as releases before the CA Secret wrote it, with the CA key in it: its CA is kept (the caBundle
     * does not change, nor what is served), the key moves to the CA Secret and leaves the serving Secret.
     */
    @Test
    void movesTheCaKeyOfASecretOfAnEarlierReleaseToTheCaSecret() throws Exception {
        String caBundle = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());
        Map<String, String> serving = secret().getData();
        Map<String, String> ca = caSecret().getData();
        X509Certificate served = ServiceHostHttps.get(caBundle, https.getPort(), SERVICE_HOST, DISCOVERY).served();

        client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-ca").delete();
        client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-tls").edit(secret -> new SecretBuilder(secret)
                .addToData("ca.key", ca.get("ca.key")).build());

        await().atMost(Duration.ofSeconds(20)).until(() -> caSecret() != null && !secret().getData().containsKey("ca.key"));
        assertThat(caSecret().getData()).isEqualTo(ca);
        assertThat(secret().getData()).isEqualTo(serving);
        assertThat(caBundle()).isEqualTo(caBundle);
        assertThat(ServiceHostHttps.get(caBundle, https.getPort(), SERVICE_HOST, DISCOVERY).served()).isEqualTo(served);
    }

    /** An injector or the previous provider writing its own CA: set back, and said, rather than silently fought. */
    @Test
    void setsBackACaBundleAnotherWriterReplacedAndCountsIt() {
        String ours = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());
        double before = registry.get("esmetrics.apiservice.ca.bundle.overwritten").counter().count();
        String foreign = Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\nKEDA\n-----END CERTIFICATE-----\n"
                .getBytes(StandardCharsets.US_ASCII));

        client.resources(APIService.class).withName(ApiServiceApplied.NAME).edit(apiService -> {
            apiService.getSpec().setCaBundle(foreign);
            return apiService;
        });

        await().atMost(Duration.ofSeconds(20)).until(this::caBundle, ours::equals);
        assertThat(registry.get("esmetrics.apiservice.ca.bundle.overwritten").counter().count()).isEqualTo(before + 1);
    }

    /** Someone who may update the Secret swaps in another key: refused, the pair served stays and is written back. */
    @Test
    void keepsServingTheLastGoodPairAndWritesItBackWhenTheSecretGetsTheKeyOfAnotherCertificate() throws Exception {
        String caBundle = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());
        Map<String, String> good = secret().getData();
        X509Certificate served = ServiceHostHttps.get(caBundle, https.getPort(), SERVICE_HOST, DISCOVERY).served();

        client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-tls").edit(secret -> new SecretBuilder(secret)
                .addToData("tls.key", base64(TestPki.ca(PKI, "other-certificate").keyPem())).build());

        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> secret().getData().equals(good));
            assertThat(registry.get("esmetrics.serving.certificate.refused").tag("reason", "key-mismatch").counter().count())
                    .isGreaterThanOrEqualTo(1);
            assertThat(ServiceHostHttps.get(caBundle, https.getPort(), SERVICE_HOST, DISCOVERY).served()).isEqualTo(served);
            assertThat(caBundle()).isEqualTo(caBundle);
        } finally {
            // Should this fail, the next test starts from the good pair anyway.
            client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-tls")
                    .edit(secret -> new SecretBuilder(secret).withData(good).build());
        }
    }

    /**
     * Not a peer's rotation (the Secret holds no such bundle): a CA someone added beside the adapter's would be trusted
     * for the whole external metrics API, and is removed.
     */
    @Test
    void replacesACaBundleThatHoldsAnotherCaBesidesItsOwn() {
        String ours = await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());
        String superset = ours + TestPki.ca(PKI, "added-ca").certificatePem();

        client.resources(APIService.class).withName(ApiServiceApplied.NAME).edit(apiService -> {
            apiService.getSpec().setCaBundle(base64(superset));
            return apiService;
        });

        try {
            await().atMost(Duration.ofSeconds(20)).until(this::caBundle, ours::equals);
        } finally {
            client.resources(APIService.class).withName(ApiServiceApplied.NAME).edit(apiService -> {
                apiService.getSpec().setCaBundle(base64(ours));
                return apiService;
            });
        }
    }

    @Test
    void leavesTheApiServiceOfAnotherProviderAlone() {
        await().atMost(Duration.ofSeconds(20)).until(this::caBundle, bundle -> !bundle.isEmpty());
        client.resources(APIService.class).withName(ApiServiceApplied.NAME).delete();
        await().until(() -> client.resources(APIService.class).withName(ApiServiceApplied.NAME).get() == null);
        client.resources(APIService.class).resource(ApiServiceApplied.apiService("keda", "keda-operator-metrics-apiserver")).create();

        await().atMost(Duration.ofSeconds(20)).until(() -> registry.get("esmetrics.apiservice.state").gauge().value() == 2.0);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> caBundle().isEmpty());
        assertThat(client.resources(APIService.class).withName(ApiServiceApplied.NAME).get().getSpec().getService().getNamespace())
                .isEqualTo("keda");
    }

    private Secret caSecret() {
        return client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-ca").get();
    }

    private Secret secret() {
        return client.secrets().inNamespace("es-metrics-adapter").withName("es-metrics-adapter-tls").get();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private String caBundle() {
        APIService apiService = client.resources(APIService.class).withName(ApiServiceApplied.NAME).get();
        String bundle = apiService == null ? null : apiService.getSpec().getCaBundle();
        return bundle == null ? "" : decoded(bundle);
    }

    private static String decoded(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}

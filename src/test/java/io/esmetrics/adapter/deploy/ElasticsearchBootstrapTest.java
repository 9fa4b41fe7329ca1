package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.tls.PemCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * k8s/elasticsearch/bootstrap-secrets.sh, the script of the bootstrap Job, run for real (sh, curl, the distribution's
 * elasticsearch-certutil, openssl) against a Kubernetes API (the mock server, CRUD mode, plain HTTP): it creates the stack's
 * certificates and passwords once, and keeps what exists.
 */
class ElasticsearchBootstrapTest {

    private static final Path SCRIPT = Path.of("k8s/elasticsearch/bootstrap-secrets.sh");

    @TempDir
    Path work;

    private final KubernetesServer server = new KubernetesServer(false, true, InetAddress.getLoopbackAddress(), 0, List.of());
    private KubernetesClient client;

    @BeforeEach
    void startTheApi() {
        server.before();
        client = server.getClient();
    }

    @AfterEach
    void stopTheApi() {
        server.after();
    }

    @Test
    void createsTheCertificatesAndPasswordsOfTheStack() throws Exception {
        run();

        Secret certs = secret("elastic", "elasticsearch-certs");
        assertThat(certs.getType()).isEqualTo("kubernetes.io/tls");
        X509Certificate ca = PemCertificates.parse(bytes(certs, "ca.crt")).get(0);
        X509Certificate node = PemCertificates.parse(bytes(certs, "tls.crt")).get(0);
        node.verify(ca.getPublicKey());
        assertThat(node.getSubjectAlternativeNames().stream().map(name -> (String) name.get(1)).toList()).contains(
                "elasticsearch.elastic.svc", "*.elasticsearch-headless.elastic.svc", "localhost");
        assertThat(new String(bytes(certs, "tls.key"), StandardCharsets.US_ASCII)).contains("PRIVATE KEY");

        Secret credentials = secret("elastic", "elasticsearch-credentials");
        assertThat(credentials.getData()).containsOnlyKeys("elastic", "es-metrics-adapter", "logstash");
        credentials.getData().values().forEach(password ->
                assertThat(new String(Base64.getDecoder().decode(password), StandardCharsets.US_ASCII)).matches("[A-Za-z0-9]{32}"));
        assertThat(credentials.getData().values()).doesNotHaveDuplicates();

        Secret adapter = secret("es-metrics-adapter", "es-metrics-adapter-elasticsearch");
        assertThat(new String(bytes(adapter, "username"), StandardCharsets.US_ASCII)).isEqualTo("es-metrics-adapter");
        assertThat(adapter.getData().get("password")).isEqualTo(credentials.getData().get("es-metrics-adapter"));
        assertThat(adapter.getData().get("ca.crt")).isEqualTo(certs.getData().get("ca.crt"));
    }

    /**
     * Logstash's Beats input accepts any client certificate of the CA it trusts, and Elasticsearch's transport layer any
     * certificate of its CA as a node's: the Beats link has a CA of its own, so that Filebeat's key is no node's key.
     */
    @Test
    void createsTheBeatsCertificatesOfACaOfTheirOwn() throws Exception {
        run();

        Secret logstash = secret("elastic", "logstash-beats-certs");
        Secret filebeat = secret("filebeat", "filebeat-certs");
        X509Certificate beatsCa = PemCertificates.parse(bytes(logstash, "ca.crt")).get(0);
        X509Certificate elasticsearchCa = PemCertificates.parse(bytes(secret("elastic", "elasticsearch-certs"), "ca.crt")).get(0);
        X509Certificate server = PemCertificates.parse(bytes(logstash, "tls.crt")).get(0);
        X509Certificate client = PemCertificates.parse(bytes(filebeat, "tls.crt")).get(0);
        assertThat(logstash.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(filebeat.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(filebeat.getData().get("ca.crt")).isEqualTo(logstash.getData().get("ca.crt"));
        server.verify(beatsCa.getPublicKey());
        client.verify(beatsCa.getPublicKey());
        assertThat(beatsCa.getSubjectX500Principal()).isNotEqualTo(elasticsearchCa.getSubjectX500Principal());
        assertThatThrownBy(() -> client.verify(elasticsearchCa.getPublicKey())).isInstanceOf(SignatureException.class);
        assertThat(server.getSubjectAlternativeNames().stream().map(name -> (String) name.get(1)).toList())
                .contains("logstash.elastic.svc", "logstash.elastic.svc.cluster.local");
        assertThat(new String(bytes(filebeat, "tls.key"), StandardCharsets.US_ASCII)).contains("PRIVATE KEY");
    }

    /** The Beats input reads PKCS#8 keys only (-----BEGIN PRIVATE KEY-----), not the PKCS#1 that certutil writes. */
    @Test
    void givesLogstashAPkcs8KeyThatMatchesItsCertificate() throws Exception {
        run();

        Secret logstash = secret("elastic", "logstash-beats-certs");
        String pem = new String(bytes(logstash, "tls.key"), StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        var key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        X509Certificate certificate = PemCertificates.parse(bytes(logstash, "tls.crt")).get(0);
        Signature signing = Signature.getInstance("SHA256withRSA");
        signing.initSign(key);
        signing.update(new byte[] {1, 2, 3});
        Signature checking = Signature.getInstance("SHA256withRSA");
        checking.initVerify((RSAPublicKey) certificate.getPublicKey());
        checking.update(new byte[] {1, 2, 3});
        assertThat(checking.verify(signing.sign())).isTrue();
    }

    @Test
    void keepsTheSecretsThatExist() throws Exception {
        run();
        Map<String, String> certs = secret("elastic", "elasticsearch-certs").getData();
        Map<String, String> credentials = secret("elastic", "elasticsearch-credentials").getData();
        Map<String, String> logstash = secret("elastic", "logstash-beats-certs").getData();
        Map<String, String> filebeat = secret("filebeat", "filebeat-certs").getData();

        run();

        assertThat(secret("elastic", "elasticsearch-certs").getData()).isEqualTo(certs);
        assertThat(secret("elastic", "elasticsearch-credentials").getData()).isEqualTo(credentials);
        assertThat(secret("elastic", "logstash-beats-certs").getData()).isEqualTo(logstash);
        assertThat(secret("filebeat", "filebeat-certs").getData()).isEqualTo(filebeat);
    }

    /** The Beats CA's key is not kept: half a pair cannot be completed, and a new pair would not trust the kept half. */
    @Test
    void makesNoHalfOfTheBeatsPair() throws Exception {
        client.secrets().inNamespace("filebeat").resource(new SecretBuilder().withNewMetadata().withName("filebeat-certs")
                .endMetadata().addToData(Map.of("tls.crt", base64("kept"))).build()).create();

        Process process = start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output).contains("delete the other too");
        assertThat(client.secrets().inNamespace("elastic").withName("logstash-beats-certs").get()).isNull();
    }

    /** Passwords you chose (the Secret made by hand, as before) are the ones the adapter gets. */
    @Test
    void givesTheAdapterThePasswordOfCredentialsMadeByHand() throws Exception {
        client.secrets().inNamespace("elastic").resource(new SecretBuilder().withNewMetadata().withName("elasticsearch-credentials")
                .endMetadata().addToData(Map.of("elastic", base64("e1"), "es-metrics-adapter", base64("chosenByHand1"), "logstash", base64("l1")))
                .build()).create();

        run();

        assertThat(new String(bytes(secret("es-metrics-adapter", "es-metrics-adapter-elasticsearch"), "password"),
                StandardCharsets.US_ASCII)).isEqualTo("chosenByHand1");
    }

    /**
     * Its bindings in the adapter's and Filebeat's namespaces (create on Secrets, which no name can limit) would let it
     * create the Secrets those pods trust at any time: the Job removes them once done.
     */
    @ParameterizedTest
    @ValueSource(strings = {"adapter-credentials", "filebeat-certs"})
    void removesItsBindingsOutsideItsNamespaceOnceDone(String grant) throws Exception {
        RoleBinding binding = (RoleBinding) Manifests.parse(Path.of("k8s/elasticsearch/rolebinding-bootstrap-" + grant + ".yaml"));
        client.resource(binding).create();

        run();

        assertThat(client.rbac().roleBindings().inNamespace(binding.getMetadata().getNamespace())
                .withName(binding.getMetadata().getName()).get()).isNull();
        Role role = (Role) Manifests.parse(Path.of("k8s/elasticsearch/role-bootstrap-" + grant + ".yaml"));
        assertThat(role.getMetadata().getNamespace()).isEqualTo(binding.getMetadata().getNamespace());
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("rolebindings");
            assertThat(rule.getResourceNames()).containsExactly(binding.getMetadata().getName());
            assertThat(rule.getVerbs()).containsExactly("delete");
        });
    }

    private void run() throws Exception {
        Process process = start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private Process start() throws Exception {
        Path token = Files.writeString(work.resolve("token"), "bootstrap-token");
        ProcessBuilder builder = new ProcessBuilder("sh", SCRIPT.toString()).redirectErrorStream(true);
        builder.environment().putAll(Map.of(
                "KUBERNETES_API", client.getMasterUrl().toString().replaceAll("/$", ""),
                "TOKEN_FILE", token.toString(),
                "CA_FILE", "",
                "ES_HOME", System.getProperty("elasticsearch.distribution"),
                "ES_JAVA_HOME", System.getProperty("java.home"),
                "WORK_DIR", work.resolve("bootstrap").toString()));
        return builder.start();
    }

    private Secret secret(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        assertThat(secret).as(namespace + "/" + name).isNotNull();
        return secret;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] bytes(Secret secret, String key) {
        return Base64.getDecoder().decode(secret.getData().get(key));
    }
}

package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/elasticsearch/bootstrap-secrets.sh, the script of the bootstrap Job, run for real (sh, curl, the distribution's
 * elasticsearch-certutil) against a Kubernetes API (the mock server, CRUD mode, plain HTTP): it creates the stack's
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

    @Test
    void keepsTheSecretsThatExist() throws Exception {
        run();
        Map<String, String> certs = secret("elastic", "elasticsearch-certs").getData();
        Map<String, String> credentials = secret("elastic", "elasticsearch-credentials").getData();

        run();

        assertThat(secret("elastic", "elasticsearch-certs").getData()).isEqualTo(certs);
        assertThat(secret("elastic", "elasticsearch-credentials").getData()).isEqualTo(credentials);
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
     * Its binding in the adapter's namespace (create on Secrets, which no name can limit) would let it create the
     * adapter's serving-certificate Secret at any time: the Job removes it once done.
     */
    @Test
    void removesItsBindingInTheAdapterNamespaceOnceDone() throws Exception {
        RoleBinding binding = (RoleBinding) Manifests.parse(Path.of("k8s/elasticsearch/rolebinding-bootstrap-adapter-credentials.yaml"));
        client.resource(binding).create();

        run();

        assertThat(client.rbac().roleBindings().inNamespace("es-metrics-adapter").withName(binding.getMetadata().getName()).get())
                .isNull();
        Role role = (Role) Manifests.parse(Path.of("k8s/elasticsearch/role-bootstrap-adapter-credentials.yaml"));
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("rolebindings");
            assertThat(rule.getResourceNames()).containsExactly(binding.getMetadata().getName());
            assertThat(rule.getVerbs()).containsExactly("delete");
        });
    }

    private void run() throws Exception {
        Path token = Files.writeString(work.resolve("token"), "bootstrap-token");
        ProcessBuilder builder = new ProcessBuilder("sh", SCRIPT.toString()).redirectErrorStream(true);
        builder.environment().putAll(Map.of(
                "KUBERNETES_API", client.getMasterUrl().toString().replaceAll("/$", ""),
                "TOKEN_FILE", token.toString(),
                "CA_FILE", "",
                "ES_HOME", System.getProperty("elasticsearch.distribution"),
                "ES_JAVA_HOME", System.getProperty("java.home"),
                "WORK_DIR", work.resolve("bootstrap").toString()));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
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

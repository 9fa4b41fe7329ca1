package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.TestPki;
import io.esmetrics.adapter.testsupport.TestPki.Issued;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the adapter needs to serve as in production: a serving certificate, the cluster's client CA (in the
 * ConfigMap of a fabric8 mock API server) and a client certificate, here in group {@code system:masters} so
 * that the measured path is the TLS handshake and the certificate authentication, not a mock's SubjectAccessReview.
 */
final class MutualTlsSetup implements AutoCloseable {

    private final KubernetesMockServer kubernetes;
    private final Issued servingCa;
    private final Issued client;
    private final List<String> adapterOptions;
    private final int httpsPort;

    private MutualTlsSetup(KubernetesMockServer kubernetes, Issued servingCa, Issued client, List<String> adapterOptions, int httpsPort) {
        this.kubernetes = kubernetes;
        this.servingCa = servingCa;
        this.client = client;
        this.adapterOptions = adapterOptions;
        this.httpsPort = httpsPort;
    }

    static MutualTlsSetup create() throws Exception {
        Path dir = Path.of("target", "benchmark-pki", UUID.randomUUID().toString()).toAbsolutePath();
        Issued servingCa = TestPki.ca(dir, "serving-ca");
        Issued serving = TestPki.serverCertificate(dir, "serving", servingCa, "localhost", List.of("localhost", "127.0.0.1"));
        Issued clientCa = TestPki.ca(dir, "client-ca");
        Issued clientCertificate = TestPki.clientCertificate(dir, "bench-client", clientCa, "CN=bench,O=system:masters");
        KubernetesMockServer kubernetes = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kubernetes.init();
        io.fabric8.kubernetes.client.KubernetesClient client = kubernetes.createClient();
        client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("extension-apiserver-authentication").withNamespace("kube-system").endMetadata()
                .withData(Map.of("client-ca-file", clientCa.certificatePem()))
                .build()).create();
        int httpsPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            httpsPort = socket.getLocalPort();
        }
        List<String> options = List.of(
                "-Dadapter.serving.tls=true",
                "-Dquarkus.http.ssl-port=" + httpsPort,
                "-Dadapter.serving.cert-file=" + serving.certFile(),
                "-Dadapter.serving.key-file=" + serving.keyFile(),
                "-Dadapter.authentication.enabled=true",
                "-Dquarkus.kubernetes-client.api-server-url=" + client.getConfiguration().getMasterUrl());
        // The client's threads would keep the benchmark's JVM (Maven's, under exec:java) alive.
        client.close();
        return new MutualTlsSetup(kubernetes, servingCa, clientCertificate, options, httpsPort);
    }

    List<String> adapterOptions() {
        return adapterOptions;
    }

    int httpsPort() {
        return httpsPort;
    }

    VertxLoad.MutualTls credentials() {
        return new VertxLoad.MutualTls(client, servingCa);
    }

    @Override
    public void close() {
        kubernetes.destroy();
    }
}

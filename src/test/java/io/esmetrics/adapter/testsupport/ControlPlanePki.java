package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The certificates and keys of a control plane, laid out as kubeadm makes them: a cluster CA (API server serving
 * certificate, client certificates of the administrator and of kube-controller-manager), a front-proxy CA (the
 * aggregator's client certificate, {@code --proxy-client-cert-file}) and the service accounts' token signing key.
 */
record ControlPlanePki(TestPki.Issued clusterCa, TestPki.Issued apiServer, TestPki.Issued admin,
                       TestPki.Issued controllerManager, TestPki.Issued frontProxyCa, TestPki.Issued frontProxyClient,
                       Path serviceAccountKey, Path serviceAccountPublicKey) {

    /** The CN the API server's {@code --requestheader-allowed-names} admits, as kubeadm names it. */
    static final String FRONT_PROXY_CLIENT = "front-proxy-client";

    static ControlPlanePki generate(Path dir) {
        TestPki.Issued clusterCa = TestPki.ca(dir, "kubernetes-ca");
        TestPki.Issued frontProxyCa = TestPki.ca(dir, "front-proxy-ca");
        // Every name a client in the tests or in the cluster may use for the API server.
        TestPki.Issued apiServer = TestPki.serverCertificate(dir, "kube-apiserver", clusterCa, "kube-apiserver",
                List.of("127.0.0.1", "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local", ControlPlane.SERVICE_IP));
        TestPki.Issued admin = TestPki.clientCertificate(dir, "admin", clusterCa, "CN=admin,O=system:masters");
        TestPki.Issued controllerManager = TestPki.clientCertificate(dir, "kube-controller-manager", clusterCa,
                "CN=system:kube-controller-manager");
        TestPki.Issued frontProxyClient = TestPki.clientCertificate(dir, FRONT_PROXY_CLIENT, frontProxyCa, "CN=" + FRONT_PROXY_CLIENT);
        KeyPair serviceAccount = ecKeyPair();
        try {
            Path key = Files.writeString(dir.resolve("service-account.key"),
                    TestPki.pem("PRIVATE KEY", serviceAccount.getPrivate().getEncoded()));
            Path publicKey = Files.writeString(dir.resolve("service-account.pub"),
                    TestPki.pem("PUBLIC KEY", serviceAccount.getPublic().getEncoded()));
            return new ControlPlanePki(clusterCa, apiServer, admin, controllerManager, frontProxyCa, frontProxyClient, key, publicKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.esmetrics.adapter.testsupport;

import io.esmetrics.adapter.tls.PemCertificates;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client that calls the adapter as the kube-aggregator does: it connects to the adapter's port on this machine
 * but verifies the certificate for the Service's name ({@code es-metrics-adapter.es-metrics-adapter.svc}), trusting
 * only the CAs it is given (the APIService's caBundle). No trust-all anywhere.
 */
public final class ServiceHostHttps {

    /** The status code, and the certificate the adapter presented. */
    public record Answer(int status, X509Certificate served) {
    }

    private ServiceHostHttps() {
    }

    /** @throws Exception when the handshake fails: an untrusted CA, a name the certificate lacks, an expired one */
    public static Answer get(String caBundlePem, int port, String serviceHost, String path) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        List<X509Certificate> cas = PemCertificates.parse(caBundlePem.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < cas.size(); i++) {
            trusted.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (Socket plain = new Socket("127.0.0.1", port);
                SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, serviceHost, port, true)) {
            tls.setSoTimeout(10_000);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(List.of(new SNIHostName(serviceHost)));
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            X509Certificate served = (X509Certificate) tls.getSession().getPeerCertificates()[0];
            OutputStream out = tls.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + serviceHost + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return new Answer(Integer.parseInt(statusLine.split(" ")[1]), served);
        }
    }
}

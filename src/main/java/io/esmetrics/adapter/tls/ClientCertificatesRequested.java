package io.esmetrics.adapter.tls;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Lets any client certificate through the handshake, as Kubernetes API servers do
 * ({@code tls.RequestClientCert}): which CA a certificate must chain to depends on what it is used for
 * (front proxy or client), and both CAs rotate, so the chain is verified per request by the authenticators,
 * which answer a 401 Status instead of a bare handshake failure. Only serving: never use it in a client.
 */
final class ClientCertificatesRequested extends X509ExtendedTrustManager {

    private static final X509Certificate[] NONE = new X509Certificate[0];

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // verified per request, see class comment
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // verified per request, see class comment
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // verified per request, see class comment
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("server-side trust manager only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        throw new UnsupportedOperationException("server-side trust manager only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        throw new UnsupportedOperationException("server-side trust manager only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        // An empty list lets clients offer any certificate they have (the aggregator's front-proxy one).
        return NONE;
    }
}

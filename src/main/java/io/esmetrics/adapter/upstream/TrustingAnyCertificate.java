package io.esmetrics.adapter.upstream;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@code adapter.upstream.insecure-skip-tls-verify}: what the kube-aggregator does for an APIService with
 * {@code insecureSkipTLSVerify}. An extended trust manager, so that the JDK leaves the host name unchecked too
 * (it checks it inside {@code checkServerTrusted} only for managers that do not extend this class).
 */
final class TrustingAnyCertificate extends X509ExtendedTrustManager {

    private static final X509Certificate[] NONE = new X509Certificate[0];

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        throw new UnsupportedOperationException("a client's trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        throw new UnsupportedOperationException("a client's trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("a client's trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}

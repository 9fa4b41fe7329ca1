package io.esmetrics.adapter.tls;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager over a PEM CA bundle that follows the file: {@link #reloadIfChanged()} swaps in the new bundle
 * when its content changed, so new handshakes trust the rotated CAs. Verification itself is the JDK's (PKIX).
 */
public final class PemTrustManager extends X509ExtendedTrustManager {

    private record Loaded(byte[] pem, X509ExtendedTrustManager manager) {
    }

    private final Path caFile;
    private final AtomicReference<Loaded> current = new AtomicReference<>();

    /** @throws IllegalArgumentException when the file holds no valid certificate: a typo must fail at start-up */
    public PemTrustManager(Path caFile) {
        this.caFile = caFile;
        current.set(load(PemFiles.read(caFile)));
    }

    /** @return whether a new bundle was loaded; an unreadable or invalid file keeps the current one */
    public boolean reloadIfChanged() {
        try {
            byte[] pem = PemFiles.read(caFile);
            if (Arrays.equals(pem, current.get().pem())) {
                return false;
            }
            current.set(load(pem));
            Log.infof("Loaded the rotated CA bundle from %s", caFile);
            return true;
        } catch (RuntimeException e) {
            Log.warnf("Keeping the current CA bundle: cannot load %s: %s", caFile, e.getMessage());
            return false;
        }
    }

    private Loaded load(byte[] pem) {
        List<X509Certificate> certificates = PemCertificates.parse(pem);
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + caFile);
        }
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return new Loaded(pem, x509);
                }
            }
            throw new IllegalStateException("no X.509 trust manager in the JDK");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot trust the certificates of " + caFile + ": " + e.getMessage(), e);
        }
    }

    private X509ExtendedTrustManager manager() {
        return current.get().manager();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        manager().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        manager().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        manager().checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        manager().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        manager().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        manager().checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return manager().getAcceptedIssuers();
    }
}

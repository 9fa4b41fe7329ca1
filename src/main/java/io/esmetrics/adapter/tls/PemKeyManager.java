package io.esmetrics.adapter.tls;

import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager over a PEM certificate and key that follows the files: {@link #reloadIfChanged()} swaps in the
 * new pair when their content changed, so new handshakes use the rotated certificate. PEM parsing (PKCS#8,
 * PKCS#1, EC) is Vert.x's.
 */
public final class PemKeyManager extends X509ExtendedKeyManager {

    private record Loaded(byte[] cert, byte[] key, X509ExtendedKeyManager manager) {
    }

    private final Vertx vertx;
    private final Path certFile;
    private final Path keyFile;
    private final AtomicReference<Loaded> current = new AtomicReference<>();

    public PemKeyManager(Vertx vertx, Path certFile, Path keyFile) {
        this.vertx = vertx;
        this.certFile = certFile;
        this.keyFile = keyFile;
        current.set(load(PemFiles.read(certFile), PemFiles.read(keyFile)));
    }

    /** @return whether a new certificate was loaded; an unreadable or invalid pair keeps the current one */
    public boolean reloadIfChanged() {
        try {
            byte[] cert = PemFiles.read(certFile);
            byte[] key = PemFiles.read(keyFile);
            Loaded loaded = current.get();
            if (Arrays.equals(cert, loaded.cert()) && Arrays.equals(key, loaded.key())) {
                return false;
            }
            current.set(load(cert, key));
            Log.infof("Loaded the rotated certificate from %s", certFile);
            return true;
        } catch (RuntimeException e) {
            Log.warnf("Keeping the current certificate: cannot load %s / %s: %s", certFile, keyFile, e.getMessage());
            return false;
        }
    }

    private Loaded load(byte[] cert, byte[] key) {
        try {
            PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
            for (KeyManager manager : options.getKeyManagerFactory(vertx).getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager x509) {
                    return new Loaded(cert, key, x509);
                }
            }
            throw new IllegalStateException("no X.509 key manager for " + certFile);
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid certificate or key (" + certFile + ", " + keyFile + "): " + e.getMessage(), e);
        }
    }

    private X509ExtendedKeyManager delegate() {
        return current.get().manager();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate().getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return delegate().chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return delegate().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return delegate().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return delegate().chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate().getPrivateKey(alias);
    }
}

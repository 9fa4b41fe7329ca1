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
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager over a PEM certificate and key that can be swapped while serving: new handshakes use the new pair.
 * It follows files ({@link #reloadIfChanged()}, for a mounted Secret) or is handed a new pair ({@link #replace}, for
 * the self-managed certificate). PEM parsing (PKCS#8, PKCS#1, EC) is Vert.x's.
 */
public final class PemKeyManager extends X509ExtendedKeyManager {

    private record Loaded(byte[] cert, byte[] key, X509ExtendedKeyManager manager, Instant notAfter) {
    }

    private final Vertx vertx;
    private final Optional<Path> certFile;
    private final Optional<Path> keyFile;
    private final AtomicReference<Loaded> current = new AtomicReference<>();

    private PemKeyManager(Vertx vertx, Optional<Path> certFile, Optional<Path> keyFile, byte[] cert, byte[] key, String source) {
        this.vertx = vertx;
        this.certFile = certFile;
        this.keyFile = keyFile;
        current.set(load(cert, key, source));
    }

    /** Serves the pair in these files, and follows them with {@link #reloadIfChanged()}. */
    public static PemKeyManager ofFiles(Vertx vertx, Path certFile, Path keyFile) {
        return new PemKeyManager(vertx, Optional.of(certFile), Optional.of(keyFile), PemFiles.read(certFile), PemFiles.read(keyFile),
                certFile + ", " + keyFile);
    }

    /** Serves this pair until {@link #replace} hands it another. */
    public static PemKeyManager of(Vertx vertx, byte[] cert, byte[] key, String source) {
        return new PemKeyManager(vertx, Optional.empty(), Optional.empty(), cert, key, source);
    }

    /** @return whether a new certificate was loaded; an unreadable or invalid pair keeps the current one */
    public boolean reloadIfChanged() {
        if (certFile.isEmpty()) {
            return false;
        }
        try {
            boolean replaced = replace(PemFiles.read(certFile.get()), PemFiles.read(keyFile.orElseThrow()), certFile.get().toString());
            if (replaced) {
                Log.infof("Loaded the rotated certificate from %s", certFile.get());
            }
            return replaced;
        } catch (RuntimeException e) {
            Log.warnf("Keeping the current certificate: cannot load %s / %s: %s", certFile.get(), keyFile.orElseThrow(), e.getMessage());
            return false;
        }
    }

    /**
     * Serves {@code cert} and {@code key} from the next handshake, when they differ from the current pair.
     *
     * @throws IllegalArgumentException when they are not a valid pair; the current one stays
     */
    public boolean replace(byte[] cert, byte[] key, String source) {
        Loaded loaded = current.get();
        if (Arrays.equals(cert, loaded.cert()) && Arrays.equals(key, loaded.key())) {
            return false;
        }
        current.set(load(cert, key, source));
        return true;
    }

    /** When the certificate served now expires. */
    public Instant notAfter() {
        return current.get().notAfter();
    }

    private Loaded load(byte[] cert, byte[] key, String source) {
        try {
            PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
            for (KeyManager manager : options.getKeyManagerFactory(vertx).getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager x509) {
                    Instant notAfter = PemCertificates.parse(cert).get(0).getNotAfter().toInstant();
                    return new Loaded(cert, key, x509, notAfter);
                }
            }
            throw new IllegalStateException("no X.509 key manager for " + source);
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid certificate or key (" + source + "): " + e.getMessage(), e);
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

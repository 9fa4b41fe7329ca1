package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.tls.PemKeyManager;
import io.esmetrics.adapter.tls.PemTrustManager;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import org.apache.http.ConnectionReuseStrategy;
import org.apache.http.HttpHost;
import org.apache.http.impl.DefaultConnectionReuseStrategy;
import org.apache.http.nio.conn.ManagedNHttpClientConnection;
import org.apache.http.nio.conn.SchemeIOSessionStrategy;
import org.apache.http.nio.conn.ssl.SSLIOSessionStrategy;
import org.apache.http.nio.reactor.IOSession;
import org.apache.http.protocol.HttpCoreContext;

/**
 * TLS to Elasticsearch with a CA bundle and a client certificate from files that rotate (a mounted Secret).
 *
 * <p>Swapping the files under the key and trust managers only changes new handshakes, and the client keeps its
 * connections alive and resumes sessions: an old connection would go on with the old certificate, or with none
 * after a botched Secret was mended, for as long as it lives. So each connection is stamped with the generation of
 * the files it was opened with; after a rotation, cached sessions are forgotten and an older connection is closed
 * once its current request is answered.
 */
final class RotatingTls {

    private static final String GENERATION = RotatingTls.class.getName() + ".generation";

    private final PemKeyManager keyManager;
    private final PemTrustManager trustManager;
    private final SSLContext context;
    private final AtomicLong generation = new AtomicLong();

    private RotatingTls(PemKeyManager keyManager, PemTrustManager trustManager, SSLContext context) {
        this.keyManager = keyManager;
        this.trustManager = trustManager;
        this.context = context;
    }

    /** @throws IllegalStateException when a file is missing or invalid: the adapter must not start on it */
    static RotatingTls from(ElasticsearchConfig.Tls tls, Vertx vertx) {
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            throw new IllegalStateException("adapter.elasticsearch.tls.cert-file and key-file go together");
        }
        try {
            PemKeyManager keyManager = tls.certFile().map(cert -> PemKeyManager.ofFiles(vertx, cert, tls.keyFile().get())).orElse(null);
            PemTrustManager trustManager = tls.caFile().map(PemTrustManager::new).orElse(null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManager == null ? null : new KeyManager[] { keyManager },
                    trustManager == null ? null : new TrustManager[] { trustManager }, null);
            return new RotatingTls(keyManager, trustManager, context);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("cannot set up TLS to Elasticsearch: " + e.getMessage(), e);
        }
    }

    /** Reads the files again; after a change, new connections use them and older ones are not reused. */
    boolean reloadIfChanged() {
        boolean keyChanged = keyManager != null && keyManager.reloadIfChanged();
        boolean trustChanged = trustManager != null && trustManager.reloadIfChanged();
        if (!keyChanged && !trustChanged) {
            return false;
        }
        generation.incrementAndGet();
        SSLSessionContext sessions = context.getClientSessionContext();
        for (byte[] id : Collections.list(sessions.getIds())) {
            SSLSession session = sessions.getSession(id);
            if (session != null) {
                session.invalidate();
            }
        }
        return true;
    }

    /** Opens TLS connections as the client would by default, stamping each with the current generation. */
    SchemeIOSessionStrategy sessionStrategy() {
        SSLIOSessionStrategy tls = new SSLIOSessionStrategy(context, SSLIOSessionStrategy.getDefaultHostnameVerifier());
        return new SchemeIOSessionStrategy() {
            @Override
            public boolean isLayeringRequired() {
                return tls.isLayeringRequired();
            }

            @Override
            public IOSession upgrade(HttpHost host, IOSession session) throws IOException {
                // Before the handshake: a rotation racing with it makes the connection look older, never newer.
                session.setAttribute(GENERATION, generation.get());
                return tls.upgrade(host, session);
            }
        };
    }

    /** The client's usual keep-alive rules, and no reuse of a connection opened before the last rotation. */
    ConnectionReuseStrategy reuseStrategy() {
        return (response, context) -> DefaultConnectionReuseStrategy.INSTANCE.keepAlive(response, context)
                && !(HttpCoreContext.adapt(context).getConnection() instanceof ManagedNHttpClientConnection connection
                        && connection.getIOSession().getAttribute(GENERATION) instanceof Long opened
                        && opened != generation.get());
    }
}

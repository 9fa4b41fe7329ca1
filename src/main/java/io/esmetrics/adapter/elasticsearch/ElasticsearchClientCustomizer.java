package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.tls.PemCertificates;
import io.esmetrics.adapter.tls.PemKeyManager;
import io.quarkus.elasticsearch.restclient.lowlevel.ElasticsearchClientConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.Dependent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.impl.nio.client.HttpAsyncClientBuilder;
import org.elasticsearch.client.RestClientBuilder;

/** Credentials and TLS of the Elasticsearch client, from {@code adapter.elasticsearch.auth/tls}. */
@ElasticsearchClientConfig
@Dependent
public class ElasticsearchClientCustomizer implements RestClientBuilder.HttpClientConfigCallback {

    private final ElasticsearchConfig config;
    private final Vertx vertx;

    public ElasticsearchClientCustomizer(ElasticsearchConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    @Override
    public HttpAsyncClientBuilder customizeHttpClient(HttpAsyncClientBuilder builder) {
        ElasticsearchCredentials credentials = new ElasticsearchCredentials(config.auth(), Clock.systemUTC());
        builder.addInterceptorLast((HttpRequestInterceptor) (request, context) -> {
            try {
                credentials.header().ifPresent(header -> request.setHeader("Authorization", header));
            } catch (RuntimeException e) {
                // The client reports I/O failures as such; the search then fails with this message.
                throw new java.io.IOException(e.getMessage());
            }
        });
        ElasticsearchConfig.Tls tls = config.tls();
        if (tls.caFile().isPresent() || tls.certFile().isPresent()) {
            builder.setSSLContext(sslContext(tls));
        }
        return builder;
    }

    private SSLContext sslContext(ElasticsearchConfig.Tls tls) {
        try {
            KeyManager[] keyManagers = null;
            if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
                throw new IllegalStateException("adapter.elasticsearch.tls.cert-file and key-file go together");
            }
            if (tls.certFile().isPresent()) {
                keyManagers = new KeyManager[] { new PemKeyManager(vertx, tls.certFile().get(), tls.keyFile().get()) };
            }
            TrustManager[] trustManagers = null;
            if (tls.caFile().isPresent()) {
                trustManagers = trustManagers(tls.caFile().get());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS to Elasticsearch: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(Path caFile) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int i = 0;
        for (Certificate certificate : PemCertificates.parse(Files.readAllBytes(caFile))) {
            trusted.setCertificateEntry("ca-" + i++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        return factory.getTrustManagers();
    }
}

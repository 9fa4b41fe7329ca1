package io.esmetrics.adapter.elasticsearch;

import io.quarkus.elasticsearch.restclient.lowlevel.ElasticsearchClientConfig;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.Dependent;
import java.time.Clock;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.impl.nio.client.HttpAsyncClientBuilder;
import org.elasticsearch.client.RestClientBuilder;

/** Credentials and TLS of the Elasticsearch client, from {@code adapter.elasticsearch.auth/tls}. */
@ElasticsearchClientConfig
@Dependent
public class ElasticsearchClientCustomizer implements RestClientBuilder.HttpClientConfigCallback {

    private final ElasticsearchConfig config;
    private final Vertx vertx;
    private final Clock clock;

    public ElasticsearchClientCustomizer(ElasticsearchConfig config, Vertx vertx, Clock clock) {
        this.config = config;
        this.vertx = vertx;
        this.clock = clock;
    }

    @Override
    public HttpAsyncClientBuilder customizeHttpClient(HttpAsyncClientBuilder builder) {
        ElasticsearchCredentials credentials = new ElasticsearchCredentials(config.auth(), clock);
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
            RotatingTls rotating = RotatingTls.from(tls, vertx);
            builder.setSSLStrategy(rotating.sessionStrategy());
            builder.setConnectionReuseStrategy(rotating.reuseStrategy());
            vertx.setPeriodic(tls.reloadInterval().toMillis(), id -> vertx.executeBlocking(rotating::reloadIfChanged, false));
        }
        return builder;
    }
}

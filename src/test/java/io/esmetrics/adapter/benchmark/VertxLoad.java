package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.TestPki.Issued;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load driver for what {@code wrk} cannot do (client certificates): {@code connections}
 * keep-alive HTTP/1.1 connections on two event loops, like {@code wrk -t 2}, each sending its next request
 * when the previous answer is in, every latency recorded. Non-blocking, so that on a 2-core machine the
 * figures are the adapter's, not the scheduling of one driver thread per connection.
 */
final class VertxLoad {

    /** Client certificate and the CA that signed the adapter's serving certificate. */
    record MutualTls(Issued client, Issued servingCa) {
    }

    private VertxLoad() {
    }

    /** A short warm-up (JIT), then the measured run. */
    static Load run(int port, Optional<MutualTls> tls, String path, int connections, Duration duration) throws InterruptedException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try {
            HttpClient client = vertx.createHttpClient(options(tls), new PoolOptions().setHttp1MaxSize(connections));
            measure(client, port, path, connections, Duration.ofSeconds(10));
            return measure(client, port, path, connections, duration);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private static HttpClientOptions options(Optional<MutualTls> tls) {
        HttpClientOptions options = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setTcpNoDelay(true);
        tls.ifPresent(mutual -> options.setSsl(true)
                .setSslEngineOptions(OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions())
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(mutual.client().certFile().toString())
                        .setKeyPath(mutual.client().keyFile().toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(mutual.servingCa().certFile().toString())));
        return options;
    }

    private static Load measure(HttpClient client, int port, String path, int connections, Duration duration)
            throws InterruptedException {
        Recorder latencies = new Recorder(3);
        AtomicLong non2xx = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(connections);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                .setURI(path).putHeader("Accept", "application/json").setConnectTimeout(10_000).setTimeout(10_000);
        long started = System.nanoTime();
        long end = started + duration.toNanos();
        for (int c = 0; c < connections; c++) {
            next(client, request, end, latencies, non2xx, failures, firstFailure, done);
        }
        if (!done.await(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the load did not finish: " + done.getCount() + " of " + connections
                    + " connections still wait for an answer after " + latencies.getIntervalHistogram().getTotalCount()
                    + " answers and " + failures.get() + " failures (the first: " + firstFailure.get() + ")");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Histogram histogram = latencies.getIntervalHistogram();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " requests failed at the connection level, the first: "
                    + firstFailure.get());
        }
        return new Load(histogram.getTotalCount() / seconds, millis(histogram, 50), millis(histogram, 99), non2xx.get());
    }

    private static void next(HttpClient client, RequestOptions request, long end, Recorder latencies, AtomicLong non2xx,
            AtomicLong failures, AtomicReference<Throwable> firstFailure, CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long start = System.nanoTime();
        client.request(request)
                .compose(sent -> sent.send())
                .compose(response -> {
                    if (response.statusCode() / 100 != 2) {
                        non2xx.incrementAndGet();
                    }
                    return response.body();
                })
                .onComplete(result -> {
                    try {
                        if (result.failed()) {
                            throw result.cause();
                        }
                        latencies.recordValue(System.nanoTime() - start);
                        next(client, request, end, latencies, non2xx, failures, firstFailure, done);
                    } catch (Throwable e) {
                        // Also what this handler itself throws: a connection whose chain ended silently would
                        // leave the run waiting for it.
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                        done.countDown();
                    }
                });
    }

    private static String millis(Histogram histogram, double percentile) {
        return String.format(java.util.Locale.ROOT, "%.2fms", histogram.getValueAtPercentile(percentile) / 1e6);
    }
}

package io.esmetrics.adapter.benchmark;

import io.esmetrics.adapter.testsupport.TestPki.Issued;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
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

    private static final int EVENT_LOOPS = 2;

    private VertxLoad() {
    }

    /** One event loop of the driver: its context, and a client used from that context only. */
    private record Loop(Context context, HttpClient client, int firstConnection, int lastConnection) {
    }

    /** A short warm-up (JIT), then the measured run, over the same connections. */
    static Load run(int port, Optional<MutualTls> tls, String path, int connections, Duration duration) throws InterruptedException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS));
        try {
            // One client per event loop, used only from it, so a connection and the requests it carries share one
            // context. With one client shared by both loops, a request now and then waited forever for the body
            // of a 200 whose headers had arrived (3 times in 12 runs; nothing in the adapter's log).
            List<Loop> loops = new ArrayList<>();
            for (int loop = 0; loop < EVENT_LOOPS; loop++) {
                int first = loop * connections / EVENT_LOOPS;
                int last = (loop + 1) * connections / EVENT_LOOPS;
                CompletableFuture<Loop> created = new CompletableFuture<>();
                vertx.deployVerticle(new AbstractVerticle() {
                    @Override
                    public void start() {
                        created.complete(new Loop(context,
                                vertx.createHttpClient(options(tls), new PoolOptions().setHttp1MaxSize(last - first)), first, last));
                    }
                }).toCompletionStage().toCompletableFuture().join();
                loops.add(created.join());
            }
            measure(loops, port, path, connections, Duration.ofSeconds(10));
            return measure(loops, port, path, connections, duration);
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

    private static Load measure(List<Loop> loops, int port, String path, int connections, Duration duration)
            throws InterruptedException {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                .setURI(path).putHeader("Accept", "application/json").setConnectTimeout(10_000).setTimeout(10_000);
        Run run = new Run(request, System.nanoTime() + duration.toNanos(), connections);
        long started = System.nanoTime();
        for (Loop loop : loops) {
            loop.context().runOnContext(ignored -> {
                for (int c = loop.firstConnection(); c < loop.lastConnection(); c++) {
                    run.next(loop.client(), c);
                }
            });
        }
        return run.await(duration, started);
    }

    /** One measured run: each of the connections sends its next request when the previous one is answered. */
    private static final class Run {

        final RequestOptions request;
        final long end;
        final Recorder latencies = new Recorder(3);
        final AtomicLong non2xx = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        final CountDownLatch done;
        /** Where each connection's current request is, to tell a stall in the adapter from one in the driver. */
        final AtomicReferenceArray<String> stages;

        Run(RequestOptions request, long end, int connections) {
            this.request = request;
            this.end = end;
            this.done = new CountDownLatch(connections);
            this.stages = new AtomicReferenceArray<>(connections);
        }

        Load await(Duration duration, long started) throws InterruptedException {
            if (!done.await(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the load did not finish: " + done.getCount() + " of " + stages.length()
                        + " connections still wait, after " + latencies.getIntervalHistogram().getTotalCount()
                        + " answers and " + failures.get() + " failures (the first: " + firstFailure.get()
                        + "); where they wait: " + waiting());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Histogram histogram = latencies.getIntervalHistogram();
            if (failures.get() > 0) {
                throw new IllegalStateException(failures.get() + " requests failed at the connection level, the first: "
                        + firstFailure.get());
            }
            return new Load(histogram.getTotalCount() / seconds, millis(histogram, 50), millis(histogram, 99), non2xx.get());
        }

        String waiting() {
            StringBuilder waiting = new StringBuilder();
            for (int i = 0; i < stages.length(); i++) {
                if (stages.get(i) != null) {
                    waiting.append(waiting.isEmpty() ? "" : "; ").append("connection ").append(i).append(": ").append(stages.get(i));
                }
            }
            return waiting.toString();
        }

        void next(HttpClient client, int connection) {
            if (System.nanoTime() >= end) {
                stages.set(connection, null);
                done.countDown();
                return;
            }
            long start = System.nanoTime();
            stages.set(connection, "waiting for a connection");
            client.request(request)
                    .compose(sent -> {
                        stages.set(connection, "request sent, no response yet");
                        return sent.send();
                    })
                    .compose(response -> {
                        stages.set(connection, "response " + response.statusCode() + " received, body not yet");
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
                            next(client, connection);
                        } catch (Throwable e) {
                            // Also what this handler itself throws: a connection whose loop ended silently would
                            // leave the run waiting for it.
                            stages.set(connection, null);
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                            done.countDown();
                        }
                    });
        }
    }

    private static String millis(Histogram histogram, double percentile) {
        return String.format(java.util.Locale.ROOT, "%.2fms", histogram.getValueAtPercentile(percentile) / 1e6);
    }
}

package io.esmetrics.adapter.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.externalmetrics.ExternalMetricsApi;
import io.esmetrics.adapter.externalmetrics.InvalidRequestException;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.resilience.CircuitBreaker;
import io.esmetrics.adapter.resilience.FailureDescription;
import io.esmetrics.adapter.tls.PemKeyManager;
import io.esmetrics.adapter.tls.PemTrustManager;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * HTTP(S) to the upstream provider. Only well-formed Kubernetes answers come back; anything else (unreachable, too
 * slow, an answer that is neither an {@code ExternalMetricValueList} nor a {@code Status}) is a
 * {@link BackendUnavailableException} naming the provider. A provider's own error answer (a 404 for a metric it does
 * not know, a 500 from one of its scalers) is an answer: it is passed on and keeps the circuit closed, so that one
 * broken metric upstream does not cut off the others.
 *
 * <p>One deadline, {@code adapter.upstream.timeout}, bounds each whole exchange, body included: the JDK client's
 * request timeout stops at the headers, and a provider that trickles its body would hold the request for good.
 * Each endpoint has its own circuit breaker ({@link Endpoint}): a metric whose scaler is slow upstream times out on
 * its own and opens nothing; the provider failing as a whole (unreachable, refusing TLS, answering what is not
 * Kubernetes, or its discovery timing out) opens the breaker of the endpoint that sees it. docs/coexistence.md
 * tells the same.
 */
@Singleton
public class UpstreamClient {

    /** Far above any list of metric values an HPA asks for; a protection, not a quota. */
    private static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;
    private static final RepeatedWarnings WARNINGS = new RepeatedWarnings(UpstreamClient.class);

    private final UpstreamConfig config;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Optional<Connection> connection;
    private volatile boolean up;

    /** Everything that exists only when a provider is configured. */
    private record Connection(String base, HttpClient http, Optional<PemTrustManager> trust, Optional<PemKeyManager> key,
            Supplier<Optional<String>> authorization, Map<Endpoint, CircuitBreaker> breakers) {
    }

    /** What is asked of the provider, each with its breaker; the name is the meters' {@code endpoint} tag. */
    private enum Endpoint {
        /** Its list of names: one document of the provider's own, so its timing out is the provider's failure. */
        DISCOVERY("discovery", true),
        /** Values of one metric, computed by one of its scalers on request: one slow metric is that metric's failure. */
        VALUES("values", false);

        final String tag;
        final boolean timeoutsOpenTheCircuit;

        Endpoint(String tag, boolean timeoutsOpenTheCircuit) {
            this.tag = tag;
            this.timeoutsOpenTheCircuit = timeoutsOpenTheCircuit;
        }
    }

    @Inject
    UpstreamClient(UpstreamConfig config, ObjectMapper mapper, MeterRegistry registry, Vertx vertx, Clock clock,
            Instance<KubernetesClient> kubernetes) {
        this(config, mapper, registry, vertx, clock, (Supplier<KubernetesClient>) kubernetes::get);
    }

    UpstreamClient(UpstreamConfig config, ObjectMapper mapper, MeterRegistry registry, Vertx vertx, Clock clock,
            Supplier<KubernetesClient> kubernetes) {
        this.config = config;
        this.mapper = mapper;
        this.registry = registry;
        this.connection = config.url().map(url -> connect(url, vertx, clock, kubernetes));
        connection.ifPresent(c -> {
            Gauge.builder("esmetrics.upstream.up", () -> up ? 1 : 0)
                    .description("1 while the upstream provider gives well-formed answers, 0 while it does not")
                    .tag("upstream", c.base())
                    .register(registry);
            c.breakers().forEach((endpoint, breaker) -> Gauge.builder("esmetrics.upstream.circuit.state", () -> breaker.state().ordinal())
                    .description("Circuit breaker in front of one endpoint of the upstream provider: 0 closed, 1 open, 2 half-open")
                    .tag("endpoint", endpoint.tag)
                    .register(registry));
            Log.infof("Forwarding the metrics this adapter does not serve to the upstream provider %s", c.base());
        });
    }

    public boolean enabled() {
        return connection.isPresent();
    }

    /** The provider's address, for messages and meters. */
    public String describe() {
        return connection.map(Connection::base).orElse("(none)");
    }

    /**
     * {@code GET .../namespaces/{namespace}/{metric}?{rawQuery}} on the provider, without anything of the caller's
     * but the path and query.
     */
    CompletableFuture<UpstreamAnswer> metricValues(String namespace, String metric, String rawQuery) {
        return exchange(Endpoint.VALUES, ForwardedMetrics.path(namespace, metric, rawQuery));
    }

    /** The provider's {@code APIResourceList}. */
    CompletableFuture<UpstreamAnswer> discovery() {
        return exchange(Endpoint.DISCOVERY, ExternalMetricsApi.PATH);
    }

    /** Reads the CA bundle and client certificate files again; new connections use what changed. */
    void reloadFiles() {
        connection.ifPresent(c -> {
            c.trust().ifPresent(PemTrustManager::reloadIfChanged);
            c.key().ifPresent(PemKeyManager::reloadIfChanged);
        });
    }

    private CompletableFuture<UpstreamAnswer> exchange(Endpoint endpoint, String path) {
        Connection c = connection.orElseThrow(() -> new IllegalStateException("no upstream provider configured"));
        CircuitBreaker breaker = c.breakers().get(endpoint);
        Timer.Sample sample = Timer.start(registry);
        // No credential, no request; a TokenRequest that fails is no reason to open the provider's circuit.
        Optional<String> authorization;
        try {
            authorization = c.authorization().get();
        } catch (BackendUnavailableException e) {
            sample.stop(timer(endpoint, "unavailable"));
            return CompletableFuture.failedFuture(e);
        }
        try {
            breaker.beforeRequest();
        } catch (BackendUnavailableException e) {
            sample.stop(timer(endpoint, "unavailable"));
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(c.base() + path));
        } catch (IllegalArgumentException e) {
            sample.stop(timer(endpoint, "invalid"));
            return CompletableFuture.failedFuture(new InvalidRequestException(
                    "the request cannot be forwarded to the upstream provider as written: " + e.getMessage()));
        }
        request.timeout(config.timeout()).header("Accept", "application/json").header("User-Agent", "es-metrics-adapter").GET();
        authorization.ifPresent(value -> request.header("Authorization", value));
        CompletableFuture<HttpResponse<byte[]>> sent = c.http().sendAsync(request.build(), BoundedBody.atMost(MAX_ANSWER_BYTES));
        // The deadline of the whole exchange; on it, the exchange itself is cancelled (its connection closed).
        CompletableFuture<HttpResponse<byte[]>> inTime = sent.copy().orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        inTime.whenComplete((response, failure) -> {
            if (failure instanceof TimeoutException) {
                sent.cancel(true);
            }
        });
        return inTime
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                        sample.stop(timer(endpoint, "unavailable"));
                        boolean timedOut = cause instanceof TimeoutException
                                || cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException);
                        throw unavailable(c, breaker, !timedOut || endpoint.timeoutsOpenTheCircuit, describe(cause), cause);
                    }
                    Optional<String> problem = problem(endpoint, response.statusCode(), response.body());
                    if (problem.isPresent()) {
                        sample.stop(timer(endpoint, "unavailable"));
                        throw unavailable(c, breaker, true, "answered " + response.statusCode() + " " + problem.get(), null);
                    }
                    breaker.succeeded();
                    up = true;
                    sample.stop(timer(endpoint, String.valueOf(response.statusCode())));
                    return new UpstreamAnswer(response.statusCode(), response.body(), response.headers().firstValue("Retry-After"));
                });
    }

    /** Why an answer is not one to pass on, if it is not. */
    private Optional<String> problem(Endpoint endpoint, int status, byte[] body) {
        boolean success = status >= 200 && status < 300;
        String expected = success ? (endpoint == Endpoint.DISCOVERY ? "an APIResourceList" : "an ExternalMetricValueList") : "a Kubernetes Status";
        String kind;
        try {
            JsonNode json = mapper.readTree(body);
            kind = json == null ? "" : json.path("kind").asText();
        } catch (IOException e) {
            kind = "";
        }
        return expected.endsWith(" " + kind) ? Optional.empty() : Optional.of("with a body that is not " + expected);
    }

    private BackendUnavailableException unavailable(Connection c, CircuitBreaker breaker, boolean counts, String reason,
            Throwable cause) {
        if (counts) {
            breaker.failed(reason);
        }
        // Callers of every namespace read it: the provider's address stays in the log.
        WARNINGS.warn("The upstream provider " + c.base() + " " + reason);
        String message = "The upstream provider (adapter.upstream.url) " + reason;
        up = false;
        return cause == null ? new BackendUnavailableException(message) : new BackendUnavailableException(message, cause);
    }

    private String describe(Throwable failure) {
        if (failure instanceof HttpTimeoutException || failure instanceof TimeoutException) {
            return "did not answer within " + config.timeout().toMillis() + " ms (adapter.upstream.timeout)";
        }
        if (failure instanceof SSLException) {
            return "refused the TLS handshake or is not trusted (adapter.upstream.ca-file): "
                    + FailureDescription.scrubbed(String.valueOf(failure.getMessage()));
        }
        return "cannot be reached: " + FailureDescription.kind(failure);
    }

    private Timer timer(Endpoint endpoint, String code) {
        return registry.timer("esmetrics.upstream.requests", "endpoint", endpoint.tag, "code", code);
    }

    /**
     * A token goes only where it cannot be read or answered on the way: over verified TLS. The adapter does not start
     * otherwise, rather than hand a credential to whoever is on the path (docs/coexistence.md, "What the provider gets").
     */
    private void refuseATokenAnyoneCouldTake(String scheme) {
        boolean file = config.tokenFile().isPresent();
        boolean requested = config.tokenRequest().serviceAccount().isPresent();
        if (file && requested || (file || requested) && config.certFile().isPresent()) {
            throw new IllegalStateException("adapter.upstream.token-file, token-request.service-account and cert-file are each a "
                    + "credential for the upstream provider: choose one");
        }
        String setting = file ? "adapter.upstream.token-file" : "adapter.upstream.token-request.service-account";
        if ((file || requested) && scheme.equals("http")) {
            throw new IllegalStateException(setting + " is set and adapter.upstream.url is http://: the token would travel in clear "
                    + "text to anyone on the path. Use https:// with adapter.upstream.ca-file, or send no token");
        }
        if ((file || requested) && config.insecureSkipTlsVerify()) {
            throw new IllegalStateException(setting + " is set and adapter.upstream.insecure-skip-tls-verify=true: anyone on the path "
                    + "could answer in the provider's place and keep the token. Set adapter.upstream.ca-file instead, or send no token");
        }
    }

    /** The Authorization header of each request: a requested token, a token file's, or none (a client certificate, or nothing). */
    private Supplier<Optional<String>> authorization(Clock clock, Supplier<KubernetesClient> kubernetes) {
        if (config.tokenRequest().serviceAccount().isPresent()) {
            UpstreamTokenRequest tokens = new UpstreamTokenRequest(kubernetes.get(), config.tokenRequest(), clock);
            return () -> Optional.of(tokens.authorization());
        }
        if (config.tokenFile().isPresent()) {
            UpstreamToken token = new UpstreamToken(config.tokenFile().get(), clock);
            return token::authorization;
        }
        return Optional::empty;
    }

    private Connection connect(URI url, Vertx vertx, Clock clock, Supplier<KubernetesClient> kubernetes) {
        String scheme = String.valueOf(url.getScheme());
        if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
            throw new IllegalStateException("adapter.upstream.url must be an http:// or https:// address with a host, not " + url);
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalStateException("adapter.upstream.url is the provider's address only: no user, query or fragment");
        }
        if (config.certFile().isPresent() != config.keyFile().isPresent()) {
            throw new IllegalStateException("adapter.upstream.cert-file and key-file go together; set both or neither");
        }
        if (scheme.equals("http")) {
            Log.warnf("The upstream provider %s is reached over plain HTTP: its answers can be read and changed on the way. "
                    + "Use https:// outside local tests", url);
        }
        if (config.insecureSkipTlsVerify() && config.caFile().isPresent()) {
            throw new IllegalStateException("adapter.upstream.ca-file and adapter.upstream.insecure-skip-tls-verify contradict "
                    + "each other: choose one");
        }
        refuseATokenAnyoneCouldTake(scheme);
        if (config.insecureSkipTlsVerify() && scheme.equals("https")) {
            Log.warnf("SECURITY OFF: adapter.upstream.insecure-skip-tls-verify=true, the certificate of the upstream provider %s "
                    + "is not verified and anyone on the path could answer in its place. Set adapter.upstream.ca-file to its CA instead", url);
        }
        String base = url.toString().replaceAll("/+$", "");
        Optional<PemTrustManager> trust = config.caFile().map(PemTrustManager::new);
        Optional<PemKeyManager> key = config.certFile().map(cert -> PemKeyManager.ofFiles(vertx, cert, config.keyFile().get()));
        Supplier<Optional<String>> authorization = authorization(clock, kubernetes);
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (scheme.equals("https")) {
            try {
                SSLContext tls = SSLContext.getInstance("TLS");
                TrustManager[] trustManagers = config.insecureSkipTlsVerify()
                        ? new TrustManager[] { new TrustingAnyCertificate() }
                        : trust.map(t -> new TrustManager[] { t }).orElse(null);
                tls.init(key.map(k -> new KeyManager[] { k }).orElse(null), trustManagers, null);
                http.sslContext(tls);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot set up TLS to the upstream provider: " + e.getMessage(), e);
            }
        }
        // Named by its setting, not its address: the breaker's message reaches callers of every namespace.
        Map<Endpoint, CircuitBreaker> breakers = new EnumMap<>(Endpoint.class);
        breakers.put(Endpoint.DISCOVERY, new CircuitBreaker("The upstream provider (adapter.upstream.url)",
                "its discoveries", config.circuitBreaker(), clock));
        breakers.put(Endpoint.VALUES, new CircuitBreaker("The upstream provider (adapter.upstream.url)",
                "forwarded requests", config.circuitBreaker(), clock));
        return new Connection(base, http.build(), trust, key, authorization, Map.copyOf(breakers));
    }
}

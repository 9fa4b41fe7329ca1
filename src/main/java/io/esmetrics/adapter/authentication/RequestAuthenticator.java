package io.esmetrics.adapter.authentication;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The authentication chain of a Kubernetes API server: front-proxy certificate (with identity headers), then
 * client certificate (user = CN, groups = O), then bearer token (TokenReview). The first that applies wins.
 */
@ApplicationScoped
public class RequestAuthenticator {

    private static final String BEARER = "Bearer ";

    private final ClusterAuthenticationWatcher cluster;
    private final TokenReviewAuthenticator tokens;
    private final FailedRequestThrottle throttle;
    private final Clock clock;

    public RequestAuthenticator(ClusterAuthenticationWatcher cluster, TokenReviewAuthenticator tokens, FailedRequestThrottle throttle,
            Clock clock) {
        this.clock = clock;
        this.cluster = cluster;
        this.tokens = tokens;
        this.throttle = throttle;
    }

    /**
     * Certificates are checked at once; a bearer token may need a TokenReview. Fails with
     * {@link UnauthorizedException} when no credential is valid, and with {@link TooManyFailedRequestsException}
     * when the caller's address was refused too often (the kube-aggregator's requests excepted).
     */
    public CompletableFuture<Caller> authenticate(HttpServerRequest request) {
        ClusterAuthentication current = cluster.current();
        X509Certificate[] chain = peerCertificates(request.sslSession());
        if (chain.length > 0) {
            Optional<UserInfo> proxied = FrontProxyAuthenticator.authenticate(chain, request.headers(), current, clock.instant());
            if (proxied.isPresent()) {
                return CompletableFuture.completedFuture(new Caller(proxied.get(), Optional.empty()));
            }
        }
        String address = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        try {
            throttle.requireAllowed(address);
        } catch (TooManyFailedRequestsException e) {
            return CompletableFuture.failedFuture(e);
        }
        return authenticateDirect(request, chain, current).whenComplete((user, failure) -> {
            if (failure instanceof UnauthorizedException || failure != null && failure.getCause() instanceof UnauthorizedException) {
                throttle.refused(address);
            }
        }).thenApply(user -> new Caller(user, Optional.of(address)));
    }

    /** A request that {@link #authenticate} let through was refused 403: it counts against its address. */
    public void forbidden(Caller caller) {
        caller.directAddress().ifPresent(throttle::refused);
    }

    /** A client certificate of the cluster's client CA, else a bearer token. */
    private CompletableFuture<UserInfo> authenticateDirect(HttpServerRequest request, X509Certificate[] chain, ClusterAuthentication current) {
        if (chain.length > 0 && CertificateChains.verifies(chain, current.clientCa(), clock.instant())) {
            Optional<String> user = DistinguishedNames.commonName(chain[0]).filter(cn -> !cn.isEmpty());
            if (user.isPresent()) {
                return CompletableFuture.completedFuture(
                        new UserInfo(user.get(), Optional.empty(), DistinguishedNames.organizations(chain[0]), java.util.Map.of()));
            }
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorization.substring(BEARER.length()).trim();
            if (!token.isEmpty()) {
                return tokens.authenticate(token).thenApply(user -> user.orElseThrow(UnauthorizedException::new));
            }
        }
        return CompletableFuture.failedFuture(new UnauthorizedException());
    }

    private static X509Certificate[] peerCertificates(SSLSession session) {
        if (session == null) {
            return new X509Certificate[0];
        }
        try {
            Certificate[] certificates = session.getPeerCertificates();
            return Arrays.stream(certificates).filter(X509Certificate.class::isInstance)
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException e) {
            return new X509Certificate[0];
        }
    }
}

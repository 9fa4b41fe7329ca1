package io.esmetrics.adapter.upstream;

import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.resilience.FailureDescription;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Short-lived tokens of the dedicated service account that may only read external metrics
 * ({@code adapter.upstream.token-request}), from the API server's TokenRequest API: the adapter's own token never goes
 * upstream (docs/design.md, "Forward what the adapter does not serve"). A token is renewed in the background once 80%
 * of its life has passed and used until then; nobody waits on the API server but the first requests, which fail
 * (503) until the first token arrives. Never logged.
 */
final class UpstreamTokenRequest {

    private final KubernetesClient kubernetes;
    private final UpstreamConfig.TokenRequestConfig config;
    private final String serviceAccount;
    private final Clock clock;
    private String token;
    private Instant renewAt = Instant.MIN;
    private Instant expiresAt = Instant.MIN;
    private CompletableFuture<Void> renewing = CompletableFuture.completedFuture(null);

    UpstreamTokenRequest(KubernetesClient kubernetes, UpstreamConfig.TokenRequestConfig config, Clock clock) {
        if (config.expiration().compareTo(Duration.ofMinutes(10)) < 0) {
            throw new IllegalStateException("adapter.upstream.token-request.expiration must be at least 10m, the API server's minimum");
        }
        this.kubernetes = kubernetes;
        this.config = config;
        this.serviceAccount = config.serviceAccount().orElseThrow();
        this.clock = clock;
    }

    /** {@code Bearer <token>} while one is valid; starts its renewal when due. */
    synchronized String authorization() {
        Instant now = clock.instant();
        if (!now.isBefore(renewAt) && renewing.isDone()) {
            renewing = CompletableFuture.runAsync(() -> renew(now));
        }
        if (token == null || !now.isBefore(expiresAt)) {
            throw new BackendUnavailableException("The upstream provider (adapter.upstream.url) is not called yet: no token of "
                    + "adapter.upstream.token-request.service-account has been obtained");
        }
        return "Bearer " + token;
    }

    private void renew(Instant requestedAt) {
        String namespace = kubernetes.getNamespace();
        TokenRequest asked = new TokenRequestBuilder().withNewSpec()
                .withAudiences(config.audience().map(List::of).orElse(List.of()))
                .withExpirationSeconds(config.expiration().toSeconds())
                .endSpec().build();
        try {
            TokenRequest answer = kubernetes.serviceAccounts().inNamespace(namespace).withName(serviceAccount).tokenRequest(asked);
            String value = answer == null || answer.getStatus() == null ? null : answer.getStatus().getToken();
            if (value == null || value.isBlank()) {
                throw new IllegalStateException("an answer without a token");
            }
            Long granted = answer.getSpec() == null ? null : answer.getSpec().getExpirationSeconds();
            long seconds = granted == null || granted <= 0 ? config.expiration().toSeconds() : Math.min(granted, config.expiration().toSeconds());
            synchronized (this) {
                token = value;
                renewAt = requestedAt.plusSeconds(seconds * 8 / 10);
                expiresAt = requestedAt.plusSeconds(seconds);
            }
        } catch (RuntimeException e) {
            Log.warnf("Cannot obtain a token of the service account %s/%s for the upstream provider (TokenRequest): %s",
                    namespace, serviceAccount, FailureDescription.kind(e));
            synchronized (this) {
                renewAt = clock.instant().plusSeconds(5);
            }
        }
    }
}

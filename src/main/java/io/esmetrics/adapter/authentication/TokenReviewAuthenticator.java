package io.esmetrics.adapter.authentication;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Bearer tokens, checked by the cluster with a TokenReview. Answers (yes and no) are kept briefly, keyed by
 * the token's SHA-256 so that tokens themselves are not held in memory longer than a request. A remembered
 * answer is a completed future, used on the event loop; a new token is reviewed on a worker thread, once
 * however many requests carry it meanwhile.
 */
@ApplicationScoped
public class TokenReviewAuthenticator {

    private final KubernetesClient client;
    /** While the API server does not answer, every request would log the same line. */
    private final RepeatedWarnings warnings = new RepeatedWarnings(TokenReviewAuthenticator.class);
    private final AsyncCache<String, Optional<UserInfo>> reviews;

    public TokenReviewAuthenticator(KubernetesClient client, AuthenticationConfig config) {
        this.client = client;
        this.reviews = Caffeine.newBuilder()
                .expireAfterWrite(config.tokenCacheTtl())
                .maximumSize(config.tokenCacheSize())
                .executor(Infrastructure.getDefaultWorkerPool())
                .buildAsync();
    }

    /** Fails with {@link AuthenticationUnavailableException} when the cluster cannot be asked (not remembered). */
    CompletableFuture<Optional<UserInfo>> authenticate(String token) {
        return reviews.get(sha256(token), (key, worker) -> CompletableFuture.supplyAsync(() -> review(token), worker));
    }

    private Optional<UserInfo> review(String token) {
        try {
            TokenReview review = client.resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build()).create();
            TokenReviewStatus status = review.getStatus();
            if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
                return Optional.empty();
            }
            var user = status.getUser();
            Map<String, List<String>> extra = user.getExtra() == null ? Map.of() : user.getExtra();
            return Optional.of(new UserInfo(user.getUsername(), Optional.ofNullable(user.getUid()).filter(uid -> !uid.isEmpty()),
                    user.getGroups() == null ? List.of() : user.getGroups(), extra));
        } catch (KubernetesClientException e) {
            // Not cached: the next request asks again.
            warnings.warn("TokenReview failed, refusing the token: " + e.getMessage());
            throw new AuthenticationUnavailableException("cannot verify the bearer token: the TokenReview API did not answer");
        }
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

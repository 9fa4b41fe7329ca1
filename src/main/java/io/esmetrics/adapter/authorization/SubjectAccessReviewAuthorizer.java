package io.esmetrics.adapter.authorization;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.esmetrics.adapter.authentication.UserInfo;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the cluster whether a user may do something, with a SubjectAccessReview. Allow and deny are cached
 * briefly in a bounded cache; when the API cannot answer, the answer is no (fail closed), never yes. A
 * remembered decision is a completed future, used on the event loop; a new question is asked on a worker
 * thread, once however many requests ask it meanwhile.
 */
@ApplicationScoped
public class SubjectAccessReviewAuthorizer {

    /** Kubernetes lets this group do anything without asking; so do we. */
    static final String SYSTEM_MASTERS = "system:masters";

    private record Question(UserInfo user, ResourceAttributes attributes) {
    }

    private final KubernetesClient client;
    /** While the API server does not answer, every request would log the same line. */
    private final RepeatedWarnings warnings = new RepeatedWarnings(SubjectAccessReviewAuthorizer.class);
    private final AsyncCache<Question, Boolean> decisions;

    public SubjectAccessReviewAuthorizer(KubernetesClient client, AuthorizationConfig config) {
        this.client = client;
        this.decisions = Caffeine.newBuilder()
                .expireAfterWrite(config.cacheTtl())
                .maximumSize(config.cacheSize())
                .executor(Infrastructure.getDefaultWorkerPool())
                .buildAsync();
    }

    /**
     * Completes when the user may; fails with {@link ForbiddenException} when the cluster says no, with
     * {@link AuthorizationUnavailableException} when it cannot be asked (not remembered: the next request asks again).
     */
    public CompletableFuture<Void> authorize(UserInfo user, ResourceAttributes attributes) {
        if (user.isMemberOf(SYSTEM_MASTERS)) {
            return CompletableFuture.completedFuture(null);
        }
        return decisions.get(new Question(user, attributes), (question, worker) -> CompletableFuture.supplyAsync(() -> review(question), worker))
                .thenAccept(allowed -> {
                    if (!allowed) {
                        throw new ForbiddenException(user.username(), attributes);
                    }
                });
    }

    private boolean review(Question question) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(question.user().username())
                .withUid(question.user().uid().orElse(null))
                .withGroups(question.user().groups())
                .withExtra(question.user().extra())
                .withNewResourceAttributes()
                .withVerb(question.attributes().verb())
                .withGroup(question.attributes().group())
                .withVersion(question.attributes().version())
                .withResource(question.attributes().resource())
                .withNamespace(question.attributes().namespace())
                .endResourceAttributes()
                .endSpec()
                .build();
        try {
            SubjectAccessReview answer = client.resource(review).create();
            return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed())
                    && !Boolean.TRUE.equals(answer.getStatus().getDenied());
        } catch (KubernetesClientException e) {
            warnings.warn("SubjectAccessReview failed, refusing the request: " + e.getMessage());
            throw new AuthorizationUnavailableException(
                    "cannot authorize the request: the SubjectAccessReview API did not answer");
        }
    }
}

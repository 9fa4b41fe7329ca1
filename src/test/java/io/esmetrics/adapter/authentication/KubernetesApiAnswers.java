package io.esmetrics.adapter.authentication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the fabric8 mock API server answers to TokenReview and SubjectAccessReview, and what it was asked.
 * Users: {@code system:serviceaccount:kube-system:horizontal-pod-autoscaler}, {@code alice} and {@code bob}
 * are allowed; {@code sar-down} finds the API failing; everyone else is denied.
 */
public final class KubernetesApiAnswers {

    public static final String HPA_CONTROLLER = "system:serviceaccount:kube-system:horizontal-pod-autoscaler";
    public static final String VALID_TOKEN = "valid-token-of-bob";
    public static final String BOB_UID = "0b0b0b0b-uid-of-bob";
    /** A token whose TokenReview fails (the API answers 500). */
    public static final String TOKEN_REVIEW_FAILS = "token-whose-review-fails";
    /** Longer than the client's request timeout (quarkus.kubernetes-client.request-timeout, 5 s). */
    private static final long SLOWER_THAN_THE_CLIENT_WAITS_MS = 6_000;
    public static final Queue<JsonNode> SUBJECT_ACCESS_REVIEWS = new ConcurrentLinkedQueue<>();
    public static final Queue<JsonNode> TOKEN_REVIEWS = new ConcurrentLinkedQueue<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private KubernetesApiAnswers() {
    }

    public static void install(KubernetesServer server) {
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
                .andReply(new Answer(KubernetesApiAnswers::subjectAccessReview)).always();
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(new Answer(KubernetesApiAnswers::tokenReview)).always();
    }

    private static Reply subjectAccessReview(JsonNode review) {
        SUBJECT_ACCESS_REVIEWS.add(review);
        String user = review.path("spec").path("user").asText();
        if (user.equals("sar-down")) {
            return new Reply(500, JSON.createObjectNode().put("kind", "Status").put("code", 500));
        }
        if (user.equals("sar-silent")) {
            // An answer without a decision: no status.allowed.
            return new Reply(201, review.deepCopy());
        }
        if (user.equals("sar-slow")) {
            sleep();
        }
        boolean allowed = List.of(HPA_CONTROLLER, "alice", "bob").contains(user);
        ObjectNode answer = review.deepCopy();
        answer.putObject("status").put("allowed", allowed);
        return new Reply(201, answer);
    }

    private static Reply tokenReview(JsonNode review) {
        TOKEN_REVIEWS.add(review);
        if (TOKEN_REVIEW_FAILS.equals(review.path("spec").path("token").asText())) {
            return new Reply(500, JSON.createObjectNode().put("kind", "Status").put("code", 500));
        }
        ObjectNode answer = review.deepCopy();
        ObjectNode status = answer.putObject("status");
        if (VALID_TOKEN.equals(review.path("spec").path("token").asText())) {
            status.put("authenticated", true);
            ObjectNode user = status.putObject("user").put("username", "bob").put("uid", BOB_UID);
            user.putArray("groups").add("system:authenticated");
        } else {
            status.put("authenticated", false);
        }
        return new Reply(201, answer);
    }

    /** An API server that does not answer in time: the misbehaviour under test, not a test waiting. */
    private static void sleep() {
        try {
            Thread.sleep(SLOWER_THAN_THE_CLIENT_WAITS_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Reply(int status, JsonNode body) {
    }

    private static final class Answer implements ResponseProvider<Object> {
        private final java.util.function.Function<JsonNode, Reply> answer;
        // The mock server asks for the status and the body separately: answer each request once.
        private final java.util.Map<RecordedRequest, Reply> replies =
                java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
        private Headers headers = new Headers.Builder().add("Content-Type", "application/json").build();

        Answer(java.util.function.Function<JsonNode, Reply> answer) {
            this.answer = answer;
        }

        private Reply reply(RecordedRequest request) {
            return replies.computeIfAbsent(request, r -> {
                try {
                    return answer.apply(JSON.readTree(r.getUtf8Body()));
                } catch (Exception e) {
                    return new Reply(400, JSON.createObjectNode().put("message", e.toString()));
                }
            });
        }

        @Override
        public int getStatusCode(RecordedRequest request) {
            return reply(request).status();
        }

        @Override
        public Object getBody(RecordedRequest request) {
            return reply(request).body().toString();
        }

        @Override
        public Headers getHeaders() {
            return headers;
        }

        @Override
        public void setHeaders(Headers headers) {
            this.headers = headers;
        }
    }
}

package io.esmetrics.adapter.authorization;

/** What a request does, in SubjectAccessReview terms. */
public record ResourceAttributes(String verb, String group, String version, String resource, String namespace) {
}

package io.esmetrics.adapter.upstream;

import java.util.Optional;

/**
 * What the upstream provider answered, checked to be a Kubernetes answer: an {@code ExternalMetricValueList} with a
 * success code, or a {@code Status} with any code. Passed on to the caller as it is.
 */
record UpstreamAnswer(int status, byte[] body, Optional<String> retryAfter) {
}

package io.esmetrics.adapter.authentication;

import java.util.Optional;

/**
 * Who made a request, and from where when it came directly rather than through the kube-aggregator (whose callers the
 * API server has authenticated and authorized already, and whose requests are never throttled).
 */
public record Caller(UserInfo user, Optional<String> directAddress) {
}

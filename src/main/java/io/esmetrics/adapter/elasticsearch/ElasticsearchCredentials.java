package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.elasticsearch.ElasticsearchConfig.Auth;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code Authorization} header sent with every request. Secret files are read again at most every few
 * seconds, so a rotated Secret takes effect without a restart. Never logged: messages name files, not values.
 */
final class ElasticsearchCredentials {

    private static final Duration REREAD_AFTER = Duration.ofSeconds(5);

    private final Auth auth;
    private final Clock clock;
    private volatile Optional<String> header = Optional.empty();
    private volatile Instant readAt = Instant.MIN;

    ElasticsearchCredentials(Auth auth, Clock clock) {
        this.auth = auth;
        this.clock = clock;
        validate();
    }

    Optional<String> header() {
        Instant now = clock.instant();
        if (auth.mode() != ElasticsearchConfig.AuthMode.NONE && readAt.plus(REREAD_AFTER).isBefore(now)) {
            header = Optional.of(build());
            readAt = now;
        }
        return header;
    }

    private String build() {
        return switch (auth.mode()) {
            case NONE -> throw new IllegalStateException("no credentials in mode none");
            case BASIC -> "Basic " + Base64.getEncoder().encodeToString(
                    (value("username", auth.usernameFile(), auth.username()) + ":" + value("password", auth.passwordFile(), auth.password()))
                            .getBytes(StandardCharsets.UTF_8));
            case API_KEY -> "ApiKey " + value("api-key", auth.apiKeyFile(), auth.apiKey());
            case BEARER -> "Bearer " + value("token", auth.tokenFile(), auth.token());
        };
    }

    private void validate() {
        switch (auth.mode()) {
            case NONE -> { }
            case BASIC -> {
                require("username", auth.usernameFile(), auth.username());
                require("password", auth.passwordFile(), auth.password());
            }
            case API_KEY -> require("api-key", auth.apiKeyFile(), auth.apiKey());
            case BEARER -> require("token", auth.tokenFile(), auth.token());
        }
    }

    private static void require(String name, Optional<Path> file, Optional<String> literal) {
        if (file.isEmpty() && literal.isEmpty()) {
            throw new IllegalStateException("adapter.elasticsearch.auth." + name + "-file (or ." + name + ") is required by this auth mode");
        }
    }

    private static String value(String name, Optional<Path> file, Optional<String> literal) {
        if (file.isPresent()) {
            try {
                // Secrets are often written with a trailing newline (echo, kubectl create secret --from-file).
                return Files.readString(file.get(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new BackendUnavailableException("cannot read the Elasticsearch " + name + " from " + file.get());
            }
        }
        return literal.orElseThrow();
    }
}

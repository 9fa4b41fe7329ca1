package io.esmetrics.adapter.upstream;

import io.esmetrics.adapter.observability.RepeatedWarnings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A token file for the upstream provider ({@code adapter.upstream.token-file}; not the pod's own service account
 * token). Kubelets rotate projected tokens (hourly by default): the file is read again at most every few seconds, so
 * a rotated token is in use soon after. Never logged.
 */
final class UpstreamToken {

    private static final Duration REREAD_AFTER = Duration.ofSeconds(5);

    private final Path file;
    private final Clock clock;
    private final RepeatedWarnings warnings = new RepeatedWarnings(UpstreamToken.class);
    private Optional<String> token = Optional.empty();
    private Instant readAt = Instant.MIN;

    UpstreamToken(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** {@code Bearer <token>}, or empty when the file cannot be read (then the request goes without). */
    synchronized Optional<String> authorization() {
        Instant now = clock.instant();
        if (readAt.plus(REREAD_AFTER).isBefore(now)) {
            token = read();
            readAt = now;
        }
        return token.map(value -> "Bearer " + value);
    }

    private Optional<String> read() {
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            return value.isEmpty() ? Optional.empty() : Optional.of(value);
        } catch (IOException e) {
            warnings.warn("Cannot read the token for the upstream provider from " + file + " (" + e.getClass().getSimpleName()
                    + "): requests to it go without a credential. Set adapter.upstream.token-file, or cert-file and key-file");
            return Optional.empty();
        }
    }
}

package io.esmetrics.adapter.observability;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Logs a warning once per distinct message per period. A failure every request meets (a rejected credential, a
 * missing index, an API server that does not answer) then shows as one line, and again after the period while it
 * lasts, instead of one line per request.
 */
public final class RepeatedWarnings {

    /** How often a persisting failure is logged again. */
    public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(5);

    private final Logger logger;
    private final Cache<String, Boolean> logged;

    public RepeatedWarnings(Class<?> origin) {
        this(origin, DEFAULT_PERIOD);
    }

    public RepeatedWarnings(Class<?> origin, Duration period) {
        this.logger = Logger.getLogger(origin);
        // Bounded: messages name metrics and reasons, whose number the configuration and the failures decide.
        this.logged = Caffeine.newBuilder().expireAfterWrite(period).maximumSize(1_000).build();
    }

    public void warn(String message) {
        if (logged.asMap().putIfAbsent(message, Boolean.TRUE) == null) {
            logger.warn(message);
        }
    }
}

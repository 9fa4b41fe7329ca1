package io.esmetrics.adapter.resilience;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * What a caller may read of a dependency's failure. Callers of every namespace read the 503 bodies, explanations and
 * ElasticsearchMetric conditions, so they get the kind of failure and the dependency's reason with the addresses and
 * user names cut out; the whole of it goes to the adapter's log (docs/security.md, "What callers learn of failures").
 */
public final class FailureDescription {

    /** {@code user [name]} and {@code [host:port]}, as Elasticsearch, Apache and the JDK write them into messages. */
    private static final Pattern USER = Pattern.compile("(?i)(user|principal|run_as|run as) \\[[^\\]]*]");
    private static final Pattern ADDRESS = Pattern.compile("\\[?[A-Za-z0-9.-]*/?[0-9A-Fa-f:.]*:\\d{2,5}]?|https?://[^\\s,;)\\]]+");

    private FailureDescription() {
    }

    /** The kind of a transport failure, never its address: {@code connection refused}, {@code timed out}, … */
    public static String kind(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
                return "connection refused";
            }
            if (cause instanceof UnknownHostException) {
                return "host name not found";
            }
            if (cause instanceof InterruptedIOException) {
                return "timed out";
            }
            if (cause instanceof SSLException) {
                return "TLS failed (" + scrubbed(String.valueOf(cause.getMessage())) + ")";
            }
            if (cause instanceof ClosedChannelException) {
                return "connection closed";
            }
        }
        return failure.getClass().getSimpleName();
    }

    /** A dependency's own words without user names and addresses. */
    public static String scrubbed(String reason) {
        return ADDRESS.matcher(USER.matcher(reason).replaceAll("$1 [...]")).replaceAll("[...]");
    }
}

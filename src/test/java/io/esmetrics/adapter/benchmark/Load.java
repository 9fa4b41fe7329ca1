package io.esmetrics.adapter.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Requests per second and latency percentiles of one URL under {@code wrk} (closed loop, keep-alive). */
record Load(double requestsPerSecond, String p50, String p99, long non2xx, String socketErrors) {

    Load(double requestsPerSecond, String p50, String p99, long non2xx) {
        this(requestsPerSecond, p50, p99, non2xx, "");
    }

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+([0-9]+)");
    /** wrk counts a request without an answer within its timeout (2 s) here, and still reports the rate. */
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: ([^\\n]+)");

    /** A short warm-up (JIT, first searches), then the measured run. */
    static Load run(String url, int connections, Duration duration) throws IOException, InterruptedException {
        wrk(url, connections, Duration.ofSeconds(5));
        String output = wrk(url, connections, duration);
        Matcher rate = RATE.matcher(output);
        if (!rate.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + output);
        }
        Matcher non2xx = NON_2XX.matcher(output);
        Matcher socketErrors = SOCKET_ERRORS.matcher(output);
        return new Load(Double.parseDouble(rate.group(1)), percentile(output, "50%"), percentile(output, "99%"),
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors.find() ? socketErrors.group(1).trim() : "");
    }

    private static String percentile(String output, String which) {
        Matcher matcher = Pattern.compile("^\\s*" + which + "\\s+(\\S+)", Pattern.MULTILINE).matcher(output);
        return matcher.find() ? matcher.group(1) : "?";
    }

    private static String wrk(String url, int connections, Duration duration) throws IOException, InterruptedException {
        List<String> command = List.of("wrk", "--latency", "-t", "2", "-c", String.valueOf(connections),
                "-d", duration.toSeconds() + "s", url);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("the benchmark needs wrk on the PATH (Debian: apt-get install wrk)", e);
        }
        try (InputStream in = process.getInputStream()) {
            String output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return output;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.0f req/s, p50 %s, p99 %s%s%s", requestsPerSecond, p50, p99,
                non2xx == 0 ? "" : " (" + non2xx + " non-2xx!)",
                socketErrors.isEmpty() ? "" : " (socket errors: " + socketErrors + ")");
    }
}

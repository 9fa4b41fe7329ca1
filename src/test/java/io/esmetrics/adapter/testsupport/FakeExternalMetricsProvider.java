package io.esmetrics.adapter.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A KEDA-shaped external metrics provider over real HTTPS, to forward to: its discovery lists {@code externalmetrics}
 * (as KEDA's does), {@link #ONLY_UPSTREAM}, and two names the adapter serves too ({@code queue_length},
 * {@code request_rate}). Every request is recorded with its headers; {@link Mode} makes it misbehave.
 *
 * <p>One per test JVM, kept in JDK objects under a system property: Quarkus loads the test profile and the test in
 * different class loaders, and both must drive the same server.
 */
public final class FakeExternalMetricsProvider {

    public static final String ONLY_UPSTREAM = "s0-upstream-requests";
    public static final String ONLY_UPSTREAM_VALUE = "42";
    /** A metric it answers with a value no HPA can hold, whose exponent BigDecimal would expand to 40 million digits. */
    public static final String HUGE_UPSTREAM = "s0-upstream-huge";
    public static final String HUGE_UPSTREAM_VALUE = "1e40000000";
    /** A metric whose scaler is slow: answered only after {@link #SLOW_MILLIS}, whatever the mode. */
    public static final String SLOW_UPSTREAM = "s0-upstream-slow";
    /** What it answers for the names the adapter also serves: never what the adapter computes. */
    public static final String CLASHING_VALUE = "999";

    public enum Mode {
        /** As a healthy provider answers. */
        NORMAL,
        /** Every metric answer is a 500 Status, as when one of KEDA's scalers fails: still an answer. */
        INTERNAL_ERROR,
        /** Every answer a 200 with an HTML page, as from a web server the URL names by mistake: not an answer. */
        GARBAGE,
        /** Every answer only after {@link #SLOW_MILLIS}. */
        SLOW,
        /** Every answer's headers at once, then its body a byte at a time over {@link #SLOW_MILLIS}. */
        TRICKLE
    }

    public static final long SLOW_MILLIS = 4_000;

    /** A request as the provider saw it. */
    public record Request(String pathAndQuery, Map<String, List<String>> headers) {

        public List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }

    private static final String KEY = "es-metrics-adapter.fake-external-metrics-provider";
    private static final Pattern VALUES = Pattern.compile("/apis/external\\.metrics\\.k8s\\.io/v1beta1/namespaces/([^/]+)/([^/?]+)");

    private final Map<String, Object> state;

    private FakeExternalMetricsProvider(Map<String, Object> state) {
        this.state = state;
    }

    /** The provider of this JVM, started on first use with a certificate for {@code localhost} from {@code ca}. */
    @SuppressWarnings("unchecked")
    public static synchronized FakeExternalMetricsProvider shared(Path dir) {
        Map<String, Object> state = (Map<String, Object>) System.getProperties().computeIfAbsent(KEY, key -> start(dir));
        return new FakeExternalMetricsProvider(state);
    }

    private static Map<String, Object> start(Path dir) {
        TestPki.Issued ca = TestPki.ca(dir, "upstream-ca");
        TestPki.Issued serving = TestPki.serverCertificate(dir, "upstream", ca, "keda-operator-metrics-apiserver", List.of("localhost"));
        Map<String, Object> state = new ConcurrentHashMap<>();
        AtomicReference<String> mode = new AtomicReference<>(Mode.NORMAL.name());
        Queue<Object> requests = new ConcurrentLinkedQueue<>();
        state.put("mode", mode);
        state.put("requests", requests);
        state.put("caFile", ca.certFile().toAbsolutePath().toString());
        state.put("tls", TestPki.sslContext(serving, ca));
        state.put("handler", (HttpHandler) exchange -> answer(exchange, mode, requests));
        state.put("server", new AtomicReference<HttpsServer>());
        state.put("port", 0);
        listen(state);
        return state;
    }

    public URI url() {
        return URI.create("https://localhost:" + state.get("port"));
    }

    /** The CA of its serving certificate, as the {@code caBundle} of its APIService would hold it. */
    public Path caFile() {
        return Path.of((String) state.get("caFile"));
    }

    @SuppressWarnings("unchecked")
    public void mode(Mode mode) {
        ((AtomicReference<String>) state.get("mode")).set(mode.name());
    }

    @SuppressWarnings("unchecked")
    public List<Request> requests() {
        List<Request> requests = new ArrayList<>();
        for (Object recorded : (Queue<Object>) state.get("requests")) {
            List<Object> fields = (List<Object>) recorded;
            requests.add(new Request((String) fields.get(0), (Map<String, List<String>>) fields.get(1)));
        }
        return requests;
    }

    /** The requests for one namespace's metrics: tests keep to namespaces of their own. */
    public List<Request> requestsIn(String namespace) {
        return requests().stream().filter(r -> r.pathAndQuery().contains("/namespaces/" + namespace + "/")).toList();
    }

    @SuppressWarnings("unchecked")
    public synchronized void stop() {
        HttpsServer server = ((AtomicReference<HttpsServer>) state.get("server")).getAndSet(null);
        if (server != null) {
            server.stop(0);
        }
    }

    /** Listens again, on the same port, after {@link #stop()}. */
    @SuppressWarnings("unchecked")
    public synchronized void restart() {
        if (((AtomicReference<HttpsServer>) state.get("server")).get() == null) {
            listen(state);
        }
    }

    @SuppressWarnings("unchecked")
    private static void listen(Map<String, Object> state) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), (Integer) state.get("port")), 0);
            server.setHttpsConfigurator(new HttpsConfigurator((SSLContext) state.get("tls")));
            server.createContext("/", (HttpHandler) state.get("handler"));
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(task -> {
                Thread thread = new Thread(task, "fake-external-metrics-provider");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            state.put("port", server.getAddress().getPort());
            ((AtomicReference<HttpsServer>) state.get("server")).set(server);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake external metrics provider", e);
        }
    }

    private static void answer(HttpExchange exchange, AtomicReference<String> mode, Queue<Object> requests) throws IOException {
        String pathAndQuery = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        Map<String, List<String>> headers = new java.util.HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        requests.add(List.of(pathAndQuery, headers));
        exchange.setAttribute("mode", mode);
        switch (Mode.valueOf(mode.get())) {
            case GARBAGE -> {
                send(exchange, 200, "text/html", "<html><body>Welcome to nginx!</body></html>");
                return;
            }
            case SLOW -> sleep();
            case NORMAL, INTERNAL_ERROR, TRICKLE -> { }
        }
        String path = exchange.getRequestURI().getRawPath();
        if (path.equals("/apis/external.metrics.k8s.io/v1beta1")) {
            send(exchange, 200, "application/json", """
                    {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"external.metrics.k8s.io/v1beta1","resources":[
                    {"name":"externalmetrics","singularName":"","namespaced":true,"kind":"ExternalMetricValueList","verbs":["get"]},
                    {"name":"%s","singularName":"","namespaced":true,"kind":"ExternalMetricValueList","verbs":["get"]},
                    {"name":"queue_length","singularName":"","namespaced":true,"kind":"ExternalMetricValueList","verbs":["get"]},
                    {"name":"request_rate","singularName":"","namespaced":true,"kind":"ExternalMetricValueList","verbs":["get"]}]}
                    """.formatted(ONLY_UPSTREAM));
            return;
        }
        Matcher values = VALUES.matcher(path);
        if (!values.matches()) {
            send(exchange, 404, "application/json", status(404, "NotFound", "the server could not find the requested resource"));
            return;
        }
        if (Mode.valueOf(mode.get()) == Mode.INTERNAL_ERROR) {
            send(exchange, 500, "application/json", status(500, "InternalError", "scaler prometheus failed: connection refused"));
            return;
        }
        String metric = values.group(2);
        if (metric.equals(SLOW_UPSTREAM)) {
            sleep();
        }
        String value = switch (metric) {
            case ONLY_UPSTREAM -> ONLY_UPSTREAM_VALUE;
            case HUGE_UPSTREAM -> HUGE_UPSTREAM_VALUE;
            case SLOW_UPSTREAM -> ONLY_UPSTREAM_VALUE;
            case "queue_length", "request_rate" -> CLASHING_VALUE;
            default -> null;
        };
        if (value == null) {
            send(exchange, 404, "application/json", status(404, "NotFound", "no metric " + metric + " is known to KEDA"));
            return;
        }
        send(exchange, 200, "application/json", """
                {"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[
                {"metricName":"%s","metricLabels":{"from":"upstream"},"timestamp":"2026-11-30T10:00:00Z","value":"%s"}]}
                """.formatted(metric, value));
    }

    private static String status(int code, String reason, String message) {
        return """
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"%s","reason":"%s","code":%d}
                """.formatted(message, reason, code);
    }

    private static void send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (Mode.valueOf(String.valueOf(((AtomicReference<?>) exchange.getAttribute("mode")).get())) == Mode.TRICKLE) {
                trickle(out, bytes);
            } else {
                out.write(bytes);
            }
        }
    }

    /** The misbehaviour under test: headers in time, the body spread over {@link #SLOW_MILLIS}. */
    private static void trickle(OutputStream out, byte[] bytes) throws IOException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
            try {
                Thread.sleep(Math.max(1, SLOW_MILLIS / bytes.length));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A provider that does not answer in time: the misbehaviour under test, not a test waiting. */
    private static void sleep() {
        try {
            Thread.sleep(SLOW_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

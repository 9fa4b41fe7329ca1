package io.esmetrics.adapter.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP proxy in front of a real Elasticsearch node that can be told to misbehave: answer slowly, or
 * answer a status (429, 503) itself. It records every search body it sees, so tests can count searches.
 */
public final class ElasticsearchProxy implements AutoCloseable {

    /** What the proxy does with the next requests. */
    public sealed interface Behaviour {
    }

    public record Forward() implements Behaviour {
    }

    public record Delay(Duration delay) implements Behaviour {
    }

    public record Answer(int status) implements Behaviour {
    }

    /** Slow for one tenant only: requests whose body mentions {@code text} (a namespace) wait, the others do not. */
    public record DelayMentioning(String text, Duration delay) implements Behaviour {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> searches = new CopyOnWriteArrayList<>();
    /** The searches again, each with how long Elasticsearch took to answer it through the proxy: not copied on write. */
    private final Queue<TimedSearch> timedSearches = new ConcurrentLinkedQueue<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private volatile String target;
    private volatile Behaviour behaviour = new Forward();

    private ElasticsearchProxy(String target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public static ElasticsearchProxy inFrontOf(String hostAndPort) {
        try {
            return new ElasticsearchProxy(hostAndPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String hostAndPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public void behave(Behaviour next) {
        behaviour = next;
    }

    /** Sends the next requests to another node (a restarted Elasticsearch). */
    public void retarget(String hostAndPort) {
        target = hostAndPort;
    }

    /** Search requests ({@code _search}, {@code _msearch}) whose body mentions {@code text}. */
    /** Every request the proxy received, of any kind. */
    public long requests() {
        return requests.get();
    }

    /** Requests held back by a delay so far: a test knows a slow request has started, not only that one was sent. */
    public long delayed() {
        return delayed.get();
    }

    public long searchesMentioning(String text) {
        return searches.stream().filter(body -> body.contains(text)).count();
    }

    /**
     * Searches whose body mentions {@code text}, each search of an {@code _msearch} counted on its own: how many
     * searches Elasticsearch ran, however they were batched.
     */
    public long searchBodiesMentioning(String text) {
        return searches.stream().mapToLong(request -> searchBodiesMentioning(request, text)).sum();
    }

    /** For each {@code _msearch} request mentioning {@code text}, in order: how many of its searches mention it. */
    public List<Long> searchBodiesPerMultiSearchMentioning(String text) {
        return searches.stream()
                .filter(request -> request.startsWith("/_msearch") && request.contains(text))
                .map(request -> searchBodiesMentioning(request, text))
                .toList();
    }

    /**
     * Search requests answered so far whose body mentions {@code text}, and the seconds they took in all, from the
     * proxy receiving them to Elasticsearch's answer: what a search costs its caller, waiting in Elasticsearch's search
     * queue included.
     */
    public TimedSearches timedSearchesMentioning(String text) {
        long count = 0;
        long nanos = 0;
        for (TimedSearch search : timedSearches) {
            if (search.request().contains(text)) {
                count++;
                nanos += search.nanos();
            }
        }
        return new TimedSearches(count, nanos / 1e9);
    }

    public record TimedSearches(long requests, double seconds) {
        public TimedSearches minus(TimedSearches earlier) {
            return new TimedSearches(requests - earlier.requests, seconds - earlier.seconds);
        }
    }

    private record TimedSearch(String request, long nanos) {
    }

    private static long searchBodiesMentioning(String request, String text) {
        String[] lines = request.split("\n");
        if (!lines[0].endsWith("_msearch")) {
            return request.contains(text) ? 1 : 0;
        }
        // The path, then a header line and a body line per search.
        long count = 0;
        for (int body = 2; body < lines.length; body += 2) {
            count += lines[body].contains(text) ? 1 : 0;
        }
        return count;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long received = System.nanoTime();
            requests.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String search = null;
            if (path.endsWith("_search") || path.endsWith("_msearch")) {
                search = path + "\n" + new String(body, StandardCharsets.UTF_8);
                searches.add(search);
            }
            Behaviour now = behaviour;
            if (now instanceof Answer answer) {
                reply(exchange, answer.status(), "{\"error\":{\"root_cause\":[{\"type\":\"proxy_says_no\",\"reason\":\"told to answer "
                        + answer.status() + "\"}],\"type\":\"proxy_says_no\",\"reason\":\"told to answer " + answer.status()
                        + "\"},\"status\":" + answer.status() + "}");
                return;
            }
            if (now instanceof Delay delay) {
                delayed.incrementAndGet();
                Thread.sleep(delay.delay().toMillis()); // the misbehaviour under test, not a test waiting
            }
            if (now instanceof DelayMentioning slow && new String(body, StandardCharsets.UTF_8).contains(slow.text())) {
                delayed.incrementAndGet();
                Thread.sleep(slow.delay().toMillis()); // the misbehaviour under test, not a test waiting
            }
            forward(exchange, body);
            if (search != null) {
                timedSearches.add(new TimedSearch(search, System.nanoTime() - received));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + target + exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            // The node behind is down: close the connection without an answer, as a dead node would.
            exchange.getResponseBody().close();
            return;
        }
        response.headers().firstValue("Content-Type").ifPresent(type -> exchange.getResponseHeaders().add("Content-Type", type));
        exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
        exchange.getResponseBody().write(response.body());
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

package io.esmetrics.adapter.testsupport;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in for an Elasticsearch with API keys (the test distribution cannot create them): a real HTTP server
 * that answers searches with an empty, complete result (and an event that arrived just now, for the look-up of the
 * newest event) and shows, at {@code GET /_last_authorization}, the {@code Authorization} header of the last
 * request, exactly as it crossed the wire.
 */
public final class RecordingElasticsearchTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String EMPTY_SEARCH = "{\"took\":1,\"timed_out\":false,\"_shards\":{\"total\":1,\"successful\":1,"
            + "\"skipped\":0,\"failed\":0},\"hits\":{\"total\":{\"value\":0,\"relation\":\"eq\"}},\"aggregations\":{\"series\":{\"buckets\":[]}}}";

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        AtomicReference<String> lastAuthorization = new AtomicReference<>("");
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body;
            if (exchange.getRequestURI().getPath().equals("/_last_authorization")) {
                body = lastAuthorization.get();
            } else {
                lastAuthorization.set(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                body = answer(exchange.getRequestURI().getPath(), new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.getResponseHeaders().add("Content-Type", "application/json");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return Map.of(
                "quarkus.elasticsearch.hosts", "127.0.0.1:" + server.getAddress().getPort(),
                "adapter.elasticsearch.auth.mode", "api-key",
                "adapter.elasticsearch.auth.api-key-file", SecuredElasticsearchTestResource.writeSecret("api-key", "aWQxOmtleTE=\n").toString());
    }

    private static String answer(String path, String body) {
        if (path.endsWith("/_field_caps")) {
            return "{\"indices\":[],\"fields\":{}}";
        }
        if (path.endsWith("/_msearch")) {
            String justNow = EMPTY_SEARCH.replace("\"series\":{\"buckets\":[]}",
                    "\"series\":{\"buckets\":[]},\"newest\":{\"value\":" + System.currentTimeMillis() + "}");
            long searches = body.lines().filter(line -> !line.isBlank()).count() / 2;
            return "{\"responses\":[" + String.join(",", Collections.nCopies((int) searches, justNow)) + "]}";
        }
        return EMPTY_SEARCH;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}

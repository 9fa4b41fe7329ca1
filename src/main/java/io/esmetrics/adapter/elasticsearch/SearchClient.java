package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.resilience.CircuitBreaker;
import io.esmetrics.adapter.resilience.FailureDescription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricComputation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.http.HttpEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * Runs searches over the low-level REST client and turns every way they can fail into a
 * {@link BackendUnavailableException} whose message says what Elasticsearch said, without credentials
 * or stack traces. Requests pass the {@link CircuitBreaker}; only transport failures, 429 and 5xx trip it.
 */
@ApplicationScoped
class SearchClient {

    /** Keep responses to what the converter reads; aggregations can be large, hits never are. */
    private static final String FILTER_PATH = "took,timed_out,_shards,hits.total,aggregations";
    private static final String MSEARCH_FILTER_PATH = "responses.took,responses.timed_out,responses._shards,"
            + "responses.hits.total,responses.aggregations,responses.error,responses.status";
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson");
    /** A pattern matching no index yet (a fresh cluster, a new day) is an empty window, not an error. */
    private static final Map<String, String> SEARCH_PARAMETERS = new TreeMap<>(
            Map.of("allow_no_indices", "true", "ignore_unavailable", "false"));

    private final RestClient client;
    private final ObjectMapper mapper;
    private final CircuitBreaker breaker;
    private final MeterRegistry registry;
    /** A 4xx repeats on every search until someone fixes its cause (credentials, an index, a definition). */
    private final RepeatedWarnings warnings = new RepeatedWarnings(SearchClient.class);

    SearchClient(RestClient client, ObjectMapper mapper, CircuitBreaker breaker, MeterRegistry registry) {
        this.client = client;
        this.mapper = mapper;
        this.breaker = breaker;
        this.registry = registry;
    }

    JsonNode search(String metricName, SearchRequest search) {
        Request request = new Request("POST", searchPath(search));
        SEARCH_PARAMETERS.forEach(request::addParameter);
        request.addParameter("filter_path", FILTER_PATH);
        request.setJsonEntity(search.body().toString());
        return perform("search", "the search for metric " + metricName, request, false);
    }

    /**
     * The search as a person would send it by hand, in Kibana Dev Tools or with curl: what {@link #search} sends,
     * without the filter that trims the response to what the adapter reads.
     */
    static MetricComputation.BackendRequest byHand(SearchRequest search) {
        String path = searchPath(search) + "?" + SEARCH_PARAMETERS.entrySet().stream()
                .map(parameter -> parameter.getKey() + "=" + parameter.getValue()).collect(Collectors.joining("&"));
        return new MetricComputation.BackendRequest("POST", path, search.body(),
                "POST " + path + "\n" + search.body().toPrettyString());
    }

    private static String searchPath(SearchRequest search) {
        return "/" + search.indexPattern() + "/_search";
    }

    /**
     * Runs many searches in one {@code _msearch} request. Each answer is a search response or, for a search
     * that failed on its own, an object with {@code error} and {@code status}.
     */
    List<JsonNode> msearch(List<SearchRequest> searches) {
        return msearch("a batch of " + searches.size() + " metric searches", searches);
    }

    /**
     * @param what what the searches are for, in the words of an error message: callers of every namespace the batch
     *             serves read it, so it names no index pattern unless the batch is one search
     */
    List<JsonNode> msearch(String what, List<SearchRequest> searches) {
        Request request = new Request("POST", "/_msearch");
        request.addParameter("filter_path", MSEARCH_FILTER_PATH);
        StringBuilder body = new StringBuilder();
        for (SearchRequest search : searches) {
            ObjectNode header = JsonNodeFactory.instance.objectNode()
                    .put("index", search.indexPattern())
                    .put("allow_no_indices", true)
                    .put("ignore_unavailable", false);
            body.append(header).append('\n').append(search.body()).append('\n');
        }
        request.setEntity(new NStringEntity(body.toString(), NDJSON));
        JsonNode responses = perform("msearch", what, request, searches.size() > 1)
                .path("responses");
        if (responses.size() != searches.size()) {
            throw new BackendUnavailableException("Elasticsearch answered " + responses.size() + " of "
                    + searches.size() + " searches of a batch");
        }
        List<JsonNode> answers = new ArrayList<>(searches.size());
        responses.forEach(answers::add);
        return answers;
    }

    /**
     * The cluster's health, trimmed to what {@link ClusterHealthConverter} reads. Through the circuit breaker like a
     * search: an Elasticsearch that cannot say how its shards are is as unavailable as one that cannot search.
     *
     * @param masterTimeout how long the node waits for an elected master; without one it answers 503
     */
    JsonNode clusterHealth(Duration masterTimeout) {
        Request request = new Request("GET", ClusterHealthConverter.PATH);
        ClusterHealthConverter.parameters(masterTimeout).forEach(request::addParameter);
        return perform("cluster_health", "the cluster health request for metric " + ClusterHealthConverter.metricName(), request,
                false);
    }

    /**
     * The capabilities of {@code fields} in the indices of {@code indexPattern} that {@code body}'s index filter keeps;
     * unmapped fields are listed too, so that a field mapped in some indices only shows where it is missing.
     */
    JsonNode fieldCaps(String indexPattern, List<String> fields, ObjectNode body) {
        Request request = new Request("POST", "/" + indexPattern + "/_field_caps");
        request.addParameter("fields", String.join(",", fields));
        request.addParameter("include_unmapped", "true");
        request.addParameter("allow_no_indices", "true");
        request.addParameter("ignore_unavailable", "false");
        request.addParameter("filter_path", "indices,fields");
        request.setJsonEntity(body.toString());
        return perform("field_caps", "the field capabilities of " + indexPattern, request, false);
    }

    /**
     * @param shared whether the request serves several metrics, perhaps of several namespaces: then Elasticsearch's
     *               reason for failing it as a whole may concern any of them, and goes to the log only
     */
    private JsonNode perform(String endpoint, String what, Request request, boolean shared) {
        try {
            breaker.beforeRequest();
        } catch (BackendUnavailableException e) {
            registry.counter("esmetrics.elasticsearch.requests.rejected", "endpoint", endpoint).increment();
            throw e;
        }
        Timer.Sample sample = Timer.start(registry);
        String outcome = "failure";
        try {
            Response response = client.performRequest(request);
            JsonNode answer = read(response.getEntity());
            breaker.succeeded();
            outcome = "success";
            return answer;
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            String reason = reason(e.getResponse().getEntity());
            String logged = "Elasticsearch answered " + status + " to " + what + ": " + reason;
            String message = status == 429
                    ? "Elasticsearch is overloaded (429 Too Many Requests) and refused " + what
                    : "Elasticsearch answered " + status + " to " + what + ": " + (shared
                            ? "its reason may concern another metric of the batch and is in the adapter's log"
                            : FailureDescription.scrubbed(reason));
            if (status == 429 || status >= 500) {
                // Told to every caller while the circuit is open: the failure without the metric it was for.
                breaker.failed(status == 429 ? "Elasticsearch is overloaded (429 Too Many Requests)"
                        : "Elasticsearch answered " + status + ": " + FailureDescription.scrubbed(reason));
            } else {
                breaker.succeeded();
            }
            warnings.warn(logged);
            throw new BackendUnavailableException(message);
        } catch (IOException e) {
            String logged = "Elasticsearch did not answer " + what + ": " + describe(e);
            breaker.failed("Elasticsearch did not answer: " + FailureDescription.kind(e));
            warnings.warn(logged);
            throw new BackendUnavailableException("Elasticsearch did not answer " + what + ": " + FailureDescription.kind(e), e);
        } finally {
            sample.stop(registry.timer("esmetrics.elasticsearch.requests", "endpoint", endpoint, "outcome", outcome));
        }
    }

    private JsonNode read(HttpEntity entity) throws IOException {
        try (InputStream in = entity.getContent()) {
            return mapper.readTree(in);
        }
    }

    private String reason(HttpEntity entity) {
        if (entity == null) {
            return "no reason given";
        }
        try {
            return reason(read(entity).path("error"));
        } catch (IOException | RuntimeException e) {
            return "unreadable error body";
        }
    }

    /** Elasticsearch's own words: the root cause's reason, else the error's, else the status alone. */
    static String reason(JsonNode error) {
        JsonNode rootCause = error.path("root_cause").path(0);
        String type = rootCause.path("type").asText(error.path("type").asText(""));
        String reason = rootCause.path("reason").asText(error.path("reason").asText(error.isTextual() ? error.asText() : ""));
        return reason.isEmpty() ? "no reason given" : (type.isEmpty() ? reason : type + ": " + reason);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }
}

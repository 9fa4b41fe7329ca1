package io.esmetrics.adapter.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Events shaped as Logstash writes them (the event contract of docs/metrics.md), indexed in bulk and made searchable. */
public final class Events {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The prefix of the daily indices Logstash writes (docs/metrics.md, "The event contract"). */
    public static final String AI_EVENTS = "ai-events-";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

    private final List<ObjectNode> documents = new ArrayList<>();

    public static Events create() {
        return new Events();
    }

    /** A {@code null} queue leaves {@code queue.name} out, as a reporter that names no queue. */
    public Events queueSample(Instant at, String namespace, String service, String queue, double length) {
        ObjectNode event = base(at, namespace, service, "ai.queue");
        ObjectNode sample = event.putObject("queue");
        if (queue != null) {
            sample.put("name", queue);
        }
        sample.put("length", length);
        documents.add(event);
        return this;
    }

    public Events requests(int count, Instant at, String namespace, String service, int statusCode) {
        for (int i = 0; i < count; i++) {
            ObjectNode event = base(at, namespace, service, "ai.request");
            event.putObject("http").putObject("response").put("status_code", statusCode);
            documents.add(event);
        }
        return this;
    }

    /** One request per duration, all at {@code at}, each taking its duration ({@code event.duration}, in nanoseconds). */
    public Events requestsTaking(Instant at, String namespace, String service, List<Duration> durations) {
        for (Duration duration : durations) {
            ObjectNode event = base(at, namespace, service, "ai.request");
            event.putObject("http").putObject("response").put("status_code", 200);
            ((ObjectNode) event.get("event")).put("duration", duration.toNanos());
            documents.add(event);
        }
        return this;
    }

    /**
     * One request every {@code every}, from {@code from} (inclusive) to {@code to} (exclusive), each taking
     * {@code duration} ({@code event.duration}, in nanoseconds as ECS has it): a steady stream of load.
     */
    public Events requestStream(Instant from, Instant to, Duration every, String namespace, String service, int statusCode,
            Duration duration) {
        for (Instant at = from; at.isBefore(to); at = at.plus(every)) {
            ObjectNode event = base(at, namespace, service, "ai.request");
            event.putObject("http").putObject("response").put("status_code", statusCode);
            ((ObjectNode) event.get("event")).put("duration", duration.toNanos());
            documents.add(event);
        }
        return this;
    }

    /**
     * Stamps every event so far with the time it arrived ({@code event.ingested}), as the shipped index template's
     * final pipeline does when Elasticsearch receives it: tests decide when their events "arrived".
     */
    public Events arrivedAt(Instant at) {
        documents.forEach(document -> ((ObjectNode) document.get("event")).put("ingested", at.toString()));
        return this;
    }

    public boolean isEmpty() {
        return documents.isEmpty();
    }

    /** Indexes everything into the daily {@code ai-events-*} indices with {@code refresh=true}: searchable when this returns. */
    public void indexInto(ElasticsearchProcess node) {
        indexInto(node, AI_EVENTS);
    }

    /** Indexes everything into daily indices {@code <prefix>yyyy.MM.dd}: another pipeline, or one without our template. */
    public void indexInto(ElasticsearchProcess node, String indexPrefix) {
        index(node, indexPrefix, "?refresh=true");
    }

    /**
     * Indexes everything into the {@code ai-events-*} indices as Logstash does, without forcing a refresh: searchable
     * after Elasticsearch's own refresh (every second), for measurements that include it.
     */
    public void indexAsThePipelineDoes(ElasticsearchProcess node) {
        indexAsThePipelineDoes(node, AI_EVENTS);
    }

    /** As {@link #indexAsThePipelineDoes(ElasticsearchProcess)}, into daily indices {@code <prefix>yyyy.MM.dd}. */
    public void indexAsThePipelineDoes(ElasticsearchProcess node, String indexPrefix) {
        index(node, indexPrefix, "");
    }

    private void index(ElasticsearchProcess node, String indexPrefix, String parameters) {
        StringBuilder bulk = new StringBuilder();
        for (ObjectNode document : documents) {
            Instant at = Instant.parse(document.get("@timestamp").asText());
            ObjectNode action = JSON.createObjectNode();
            action.putObject("create").put("_index", indexPrefix + DAY.format(at));
            bulk.append(action).append('\n').append(document).append('\n');
        }
        var answer = node.request("POST", "/_bulk" + parameters, bulk.toString());
        if (answer.path("errors").asBoolean()) {
            throw new IllegalStateException("bulk indexing failed: " + answer);
        }
    }

    private static ObjectNode base(Instant at, String namespace, String service, String dataset) {
        ObjectNode event = JSON.createObjectNode();
        event.put("@timestamp", at.toString());
        event.putObject("kubernetes").put("namespace", namespace);
        event.putObject("service").put("name", service);
        event.putObject("event").put("dataset", dataset);
        return event;
    }
}

package io.esmetrics.adapter.local;

import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * A live stream of events that follows the event contract: every second, each AI service reports its queue
 * lengths and the requests it served. Load rises and falls over a few minutes, so values visibly change. The
 * services and namespace are those of k8s/ai-services, so the shipped autoscalers' queries have values
 * (DemoEventsReachTheShippedAutoscalersTest).
 */
public final class DemoEvents {

    /** The namespace of the example services in k8s/ai-services. */
    public static final String NAMESPACE = "ai-services";

    private static final List<String> SERVICES = List.of("chat", "search", "embeddings");
    private static final List<String> QUEUES = List.of("inference", "batch");

    private final String namespace;
    private final Random random = new Random();

    public DemoEvents(String namespace) {
        this.namespace = namespace;
    }

    /** A minute of history, so request_rate has a full window from the first request. */
    public void backfill(ElasticsearchProcess elasticsearch, Instant now) {
        Events events = Events.create();
        for (int second = 70; second > 0; second--) {
            add(events, now.minus(Duration.ofSeconds(second)));
        }
        events.indexInto(elasticsearch);
    }

    void feed(ElasticsearchProcess elasticsearch, Instant now) {
        try {
            Events events = Events.create();
            add(events, now);
            events.indexInto(elasticsearch);
        } catch (RuntimeException e) {
            System.err.println("demo events: " + e.getMessage());
        }
    }

    private void add(Events events, Instant at) {
        // Between a quarter and twice the mean load, never none: every example HPA always has a load to show.
        double load = 1.125 + 0.875 * Math.sin(at.getEpochSecond() / 60.0);
        for (int s = 0; s < SERVICES.size(); s++) {
            String service = SERVICES.get(s);
            int requests = (int) Math.round(load * (s + 2) + random.nextInt(2));
            events.requests(requests, at, namespace, service, 200);
            if (random.nextInt(20) == 0) {
                events.requests(1, at, namespace, service, 500);
            }
            for (int q = 0; q < QUEUES.size(); q++) {
                events.queueSample(at, namespace, service, QUEUES.get(q), Math.round(load * 10 * (s + 1) / (q + 1)));
            }
        }
    }
}

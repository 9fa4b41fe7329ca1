package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Delay;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Forward;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.ProxiedElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** However many HPAs ask for the same series at the same time, Elasticsearch sees one search. */
@QuarkusTest
@TestProfile(SingleFlightTest.NoBackgroundRefresh.class)
@WithTestResource(ProxiedElasticsearchTestResource.class)
class SingleFlightTest {

    /** Only requests search: background refreshes would blur the count. */
    public static final class NoBackgroundRefresh implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("adapter.cache.refresh-interval", "1h", "adapter.elasticsearch.ingest-lag-interval", "1h");
        }
    }

    private final ElasticsearchProxy proxy = ProxiedElasticsearchTestResource.proxy();

    @Test
    void sendsOneSearchForAHundredConcurrentIdenticalRequests() throws Exception {
        String team = ElasticsearchFaultsTest.team();
        Events.create().queueSample(Instant.now().minusSeconds(5), team, "chat", "q1", 7).indexInto(SharedElasticsearch.node());
        // A slow Elasticsearch keeps the first search in flight while the other 99 requests arrive.
        proxy.behave(new Delay(Duration.ofMillis(500)));
        ExecutorService hpas = Executors.newFixedThreadPool(100);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(hpas.submit(() -> {
                    go.await();
                    return ElasticsearchFaultsTest.value(
                            new ElasticsearchFaultsTest.Request(team, "queue_length", "service=chat").get());
                }));
            }

            go.countDown();

            for (Future<String> answer : answers) {
                assertThat(answer.get()).isEqualTo("7");
            }
            assertThat(proxy.searchesMentioning(team)).isEqualTo(1);
        } finally {
            hpas.shutdownNow();
            proxy.behave(new Forward());
        }
    }
}

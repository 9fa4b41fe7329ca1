package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Delay;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.Forward;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.ProxiedElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A refresh that cannot finish within the refresh interval is reported (meter, log), not silently piled up; its
 * duration is measured to the end of its last batch.
 */
@QuarkusTest
@TestProfile(RefreshOverrunTest.OneSecondRefresh.class)
@WithTestResource(ProxiedElasticsearchTestResource.class)
class RefreshOverrunTest {

    public static final class OneSecondRefresh implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("adapter.cache.refresh-interval", "1s", "adapter.cache.min-query-interval", "100ms",
                    "adapter.elasticsearch.ingest-lag-interval", "1h");
        }
    }

    private final ElasticsearchProxy proxy = ProxiedElasticsearchTestResource.proxy();

    @Inject
    MeterRegistry registry;

    @Test
    void countsARefreshSlowerThanTheInterval() {
        String team = "overrun-" + UUID.randomUUID().toString().substring(0, 8);
        Events.create().queueSample(Instant.now().minusSeconds(5), team, "chat", "q1", 3).indexInto(SharedElasticsearch.node());
        assertThat(ElasticsearchFaultsTest.value(new ElasticsearchFaultsTest.Request(team, "queue_length", "service=chat").get()))
                .isEqualTo("3");
        double before = overruns();
        try {
            proxy.behave(new Delay(Duration.ofMillis(1_500)));

            await().atMost(Duration.ofSeconds(20)).until(() -> overruns() > before);
        } finally {
            proxy.behave(new Forward());
        }
        // The overrun is counted when the refresh stops waiting; its duration once its last batch is done.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> registry.timer("esmetrics.cache.refresh").max(java.util.concurrent.TimeUnit.MILLISECONDS) > 1_000);
    }

    private double overruns() {
        return registry.counter("esmetrics.cache.refresh.overruns").count();
    }
}

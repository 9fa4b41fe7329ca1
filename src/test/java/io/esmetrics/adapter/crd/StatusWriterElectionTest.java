package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.testsupport.AdjustableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.rules.Aggregation;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.testsupport.ElasticsearchTestResource;
import io.esmetrics.adapter.testsupport.Events;
import io.esmetrics.adapter.testsupport.SharedElasticsearch;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statuses are written by the replica holding the Lease only: another holder silences this replica, and a free
 * Lease is taken again. The other replica is played by the test, writing the Lease as a second adapter would.
 */
@QuarkusTest
@TestProfile(StatusWriterElectionTest.ShortLease.class)
@WithKubernetesTestServer(crud = true, setup = CustomResourcesEnabled.CrdInstalled.class)
@WithTestResource(ElasticsearchTestResource.class)
class StatusWriterElectionTest {

    static final String LEASE_NAMESPACE = "es-metrics-adapter";
    static final String LEASE = "es-metrics-adapter-status";
    static final String THIS_REPLICA = "replica-under-test";
    private static final Duration SECONDS = Duration.ofSeconds(20);
    private static final String TEAM = "election-" + UUID.randomUUID().toString().substring(0, 8);

    public static final class ShortLease implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(new CustomResourcesEnabled().getConfigOverrides());
            overrides.put("adapter.custom-resources.leader-election.identity", THIS_REPLICA);
            overrides.put("adapter.custom-resources.leader-election.lease-namespace", LEASE_NAMESPACE);
            overrides.put("adapter.custom-resources.leader-election.lease-duration", "3s");
            overrides.put("adapter.custom-resources.leader-election.renew-deadline", "2s");
            overrides.put("adapter.custom-resources.leader-election.retry-period", "200ms");
            return overrides;
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    StatusWriterElection election;

    @BeforeAll
    static void indexEvents() {
        Instant now = AdjustableClock.ofRunningAdapter().freeze().minusSeconds(30);
        Events.create()
                .requests(20, now, TEAM, "chat", 200)
                .requests(10, now, TEAM, "chat", 500)
                .indexInto(SharedElasticsearch.node());
    }

    @Test
    void onlyTheLeaseHolderWritesStatuses() {
        await().atMost(SECONDS).untilAsserted(() -> assertThat(holder()).isEqualTo(THIS_REPLICA));
        ElasticsearchMetric created = resources().resource(metric(List.of("200", "500"))).create();
        await().atMost(SECONDS).untilAsserted(() -> assertThat(resources().withName("requests").get().getStatus())
                .isNotNull().extracting(ElasticsearchMetricStatus::value).isEqualTo("30"));

        // Another replica holds the Lease for an hour: this one stops writing, even when the spec changes.
        await().atMost(SECONDS).untilAsserted(() -> {
            if (!"other-replica".equals(holder())) {
                takeLeaseAs("other-replica", Duration.ofHours(1));
            }
            assertThat(holder()).isEqualTo("other-replica");
            assertThat(election.leading()).isFalse();
        });
        // Nobody writes the status now: no conflict to expect.
        resources().withName("requests").edit(current -> {
            current.setSpec(metric(List.of("500")).getSpec());
            return current;
        });
        long changedGeneration = resources().withName("requests").get().getMetadata().getGeneration();
        assertThat(changedGeneration).isGreaterThan(created.getMetadata().getGeneration());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                resources().withName("requests").get().getStatus().observedGeneration() < changedGeneration
                        && "other-replica".equals(holder()));

        // The Lease freed (the other replica gone and its Lease expired): this replica takes it and writes again.
        takeLeaseAs("other-replica", Duration.ZERO);
        await().atMost(SECONDS).untilAsserted(() -> {
            ElasticsearchMetricStatus status = resources().withName("requests").get().getStatus();
            assertThat(status.observedGeneration()).isEqualTo(changedGeneration);
            assertThat(status.value()).isEqualTo("10");
        });
        assertThat(holder()).isEqualTo(THIS_REPLICA);
    }

    private String holder() {
        Lease lease = lease().get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    /**
     * Writes the Lease as another replica would, holding it for {@code duration} (zero: long expired). fabric8
     * judges expiry by its own lease duration (3 s here) after the renew time, whatever the Lease says, so a holder
     * that keeps renewing is played by a renew time {@code duration} ahead. The adapter renews concurrently: retry
     * on 409.
     */
    private void takeLeaseAs(String identity, Duration duration) {
        for (int attempt = 1; ; attempt++) {
            try {
                lease().edit(lease -> {
                    lease.getSpec().setHolderIdentity(identity);
                    lease.getSpec().setLeaseDurationSeconds((int) duration.toSeconds());
                    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
                    lease.getSpec().setRenewTime(duration.isZero() ? now.minusMinutes(1) : now.plus(duration));
                    return lease;
                });
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private Resource<Lease> lease() {
        return client.leases().inNamespace(LEASE_NAMESPACE).withName(LEASE);
    }

    private NonNamespaceOperation<ElasticsearchMetric, KubernetesResourceList<ElasticsearchMetric>, Resource<ElasticsearchMetric>> resources() {
        return client.resources(ElasticsearchMetric.class).inNamespace(TEAM);
    }

    private static ElasticsearchMetric metric(List<String> statusCodes) {
        ElasticsearchMetric resource = new ElasticsearchMetric();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace(TEAM).withName("requests").build());
        resource.setSpec(new MetricDefinition("ai-events-*", null, null, null,
                Map.of("event.dataset", List.of("ai.request"), "http.response.status_code", statusCodes),
                Aggregation.COUNT, null, "10m", null, null, null, null, Map.of("service", "service.name"), null));
        return resource;
    }
}

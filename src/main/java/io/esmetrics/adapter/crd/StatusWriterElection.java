package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.cluster.OwnNamespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Elects the one replica that writes ElasticsearchMetric statuses, through a Lease. Serving metrics needs no
 * leader: every replica answers HPAs from its own cache.
 *
 * <p>fabric8's elector ends when it loses the Lease; this one then stands again, so that a replica that lost a
 * renewal (an API server hiccup) takes over again when the Lease is free. On shutdown the Lease is released, so
 * the other replica takes over within a retry period instead of a lease duration.
 *
 * <p>{@code esmetrics_status_writer_leader} is 1 on the replica that writes: summed over the replicas it should be 1
 * (0 while the Lease changes hands; more only while the election is off).
 */
@ApplicationScoped
class StatusWriterElection {

    private final CustomResourcesConfig config;
    private final Instance<KubernetesClient> client;
    private final OwnNamespace ownNamespace;
    private final MeterRegistry registry;
    /** The holder last logged: each new elector observes the Lease afresh, which is no change to log. */
    private final AtomicReference<String> loggedLeader = new AtomicReference<>();
    private volatile String identity;
    private volatile boolean leading;
    private volatile boolean electing;
    private volatile boolean stopped;
    private CompletableFuture<?> election;

    StatusWriterElection(CustomResourcesConfig config, Instance<KubernetesClient> client, OwnNamespace ownNamespace,
            MeterRegistry registry) {
        this.config = config;
        this.client = client;
        this.ownNamespace = ownNamespace;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        Gauge.builder("esmetrics.status.writer.leader", () -> leading() ? 1 : 0)
                .description("1 while this replica writes ElasticsearchMetric statuses (it holds the Lease, or the election "
                        + "is off), 0 while another replica does")
                .register(registry);
        if (!config.leaderElection().enabled()) {
            return;
        }
        Optional<String> namespace = config.leaderElection().leaseNamespace().or(ownNamespace::get);
        if (namespace.isEmpty()) {
            // Outside a cluster, with no namespace known: statuses are still written, by this replica.
            Log.warnf("No namespace for the Lease of the ElasticsearchMetric status writer (not in a pod, no %s, no namespace "
                    + "in the kubeconfig context): the election is off and this replica writes the statuses. Set "
                    + "adapter.custom-resources.leader-election.lease-namespace to turn it on", OwnNamespace.PROPERTY);
            return;
        }
        identity = config.leaderElection().identity().orElseGet(StatusWriterElection::uniqueIdentity);
        electing = true;
        stand(namespace.get());
    }

    /** Whether this replica writes statuses now: it won the election, or there is none. */
    boolean leading() {
        return !electing || leading;
    }

    @PreDestroy
    synchronized void stop() {
        stopped = true;
        if (election != null) {
            election.cancel(true);
        }
    }

    private synchronized void stand(String namespace) {
        if (stopped) {
            return;
        }
        CustomResourcesConfig.LeaderElection settings = config.leaderElection();
        KubernetesClient kubernetes = client.get();
        election = kubernetes.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(settings.leaseName())
                .withLock(new LeaseLock(namespace, settings.leaseName(), identity))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader))
                .build()).build().start();
        election.whenComplete((ignored, failure) -> {
            stopLeading();
            if (!stopped) {
                CompletableFuture.delayedExecutor(settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> stand(namespace));
            }
        });
    }

    private void startLeading() {
        leading = true;
    }

    private void stopLeading() {
        if (leading) {
            leading = false;
            Log.infof("This replica (%s) no longer writes ElasticsearchMetric statuses", identity);
        }
    }

    private void newLeader(String leader) {
        // null: the Lease was released, and stopLeading says so if it was ours.
        if (leader != null && !leader.equals(loggedLeader.getAndSet(leader))) {
            Log.infof("ElasticsearchMetric statuses are written by %s%s", leader, identity.equals(leader) ? " (this replica)" : "");
        }
    }

    /** The host name (a pod's name) made unique, as Kubernetes' own controllers do: two processes may share a host. */
    private static String uniqueIdentity() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "es-metrics-adapter";
            }
        }
        return host + "_" + UUID.randomUUID();
    }
}

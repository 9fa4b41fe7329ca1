package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.MetricDefinition;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Metrics declared as ElasticsearchMetric custom resources. */
@ConfigMapping(prefix = "adapter.custom-resources")
public interface CustomResourcesConfig {

    /**
     * Watch ElasticsearchMetric resources. Off where there is no Kubernetes API (the {@code local} profile, most
     * tests); the CRD must be installed before the adapter starts when on.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Let a resource set {@code scope: Cluster} or its own {@code namespaceField}. Off by default: either would let
     * a team read other teams' documents just by declaring a metric. Turn it on only where every namespace
     * allowed to create ElasticsearchMetrics may see every document of every index they can name.
     */
    @WithDefault("false")
    boolean allowClusterScope();

    /**
     * The field holding the namespace of a document, forced on every resource (unless cluster scope is allowed and
     * the resource names another one): a resource in namespace N reads only documents whose field equals N.
     */
    @WithDefault(MetricDefinition.DEFAULT_NAMESPACE_FIELD)
    String namespaceField();

    /**
     * The indices a resource may read, the cluster operator's decision: each part of its {@code indexPattern} must be
     * one of these or narrower (matched by one, {@code *} standing for any characters), exclusions ({@code -...})
     * aside. A remote cluster's indices ({@code cluster:indices}) only where an entry names one. {@code *} and
     * {@code _all} are refused whatever this says (the CRD's schema refuses them).
     */
    @WithDefault("ai-events-*")
    List<String> allowedIndexPatterns();

    /**
     * Resources served per namespace: beyond it, the newest are not served (oldest first, then by name), each saying
     * why in its status, and the namespace's others keep working. One team's resources cost the shared Elasticsearch
     * searches forever (every status is computed), so a shared cluster bounds them.
     */
    @WithDefault("50")
    int maxPerNamespace();

    /** Labels one resource may declare: each is a grouping dimension, multiplying the series an answer holds. */
    @WithDefault("5")
    int maxLabels();

    /** The longest {@code window} a resource may set (definitions files allow up to 24h): the time span each search reads. */
    @WithDefault("1h")
    Duration maxWindow();

    /** The longest {@code staleness} a resource may set: how far back a {@code latest} search reads. */
    @WithDefault("1h")
    Duration maxStaleness();

    /** The longest {@code ingestLag} a resource may set: it moves the window into the past, onto colder indices. */
    @WithDefault("5m")
    Duration maxIngestLag();

    /**
     * How often each resource's value is computed for its status. Writes happen at most this often per resource,
     * and only when something changed: the status is for people, HPAs read the metric API.
     */
    @WithDefault("30s")
    Duration statusInterval();

    /**
     * How often the value of a resource no HPA reads is computed for its status. A resource is read when an answer of
     * it was asked for within {@code adapter.cache.idle-timeout}: its status then shows the value the cache keeps fresh
     * for its readers, at no cost. An unread one costs one search per this interval, within its namespace's miss limit,
     * and is not refreshed in the background: a resource nobody uses costs the shared Elasticsearch little.
     */
    @WithDefault("5m")
    Duration unusedStatusInterval();

    /** An unchanged status is still rewritten after this long, so that {@code lastUpdated} shows the adapter is alive. */
    @WithDefault("5m")
    Duration statusRefresh();

    /** Which replica writes the statuses. */
    LeaderElection leaderElection();

    /**
     * One replica, elected through a Lease as Kubernetes controllers are, writes every status; the others only serve
     * metrics. Without it each replica would write its own, slightly different, value and conflict with the others.
     */
    interface LeaderElection {

        /** Elect the status writer. Off, every replica writes statuses. */
        @WithDefault("true")
        boolean enabled();

        /** The Lease (API group coordination.k8s.io) the replicas compete for. */
        @WithDefault("es-metrics-adapter-status")
        String leaseName();

        /** The Lease's namespace; by default the adapter's own (its service account's). */
        Optional<String> leaseNamespace();

        /** This replica's name in the Lease; by default its host name, which in a pod is the pod's name. */
        Optional<String> identity();

        /** How long a Lease holds without renewal: how long statuses may go unwritten after a leader dies. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** How long the leader keeps trying to renew before it stops writing. Shorter than the lease duration. */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often the Lease is renewed, or asked for by the other replicas. */
        @WithDefault("2s")
        Duration retryPeriod();
    }
}

package io.esmetrics.adapter.crd;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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
    @WithDefault("kubernetes.namespace")
    String namespaceField();

    /**
     * How often each resource's value is computed for its status. Writes happen at most this often per resource,
     * and only when something changed: the status is for people, HPAs read the metric API.
     */
    @WithDefault("30s")
    Duration statusInterval();

    /** An unchanged status is still rewritten after this long, so that {@code lastUpdated} shows the adapter is alive. */
    @WithDefault("5m")
    Duration statusRefresh();
}

package io.esmetrics.adapter.externalmetrics;

import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.selector.LabelSelector;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;

/** {@code /apis/external.metrics.k8s.io/v1beta1}: the resource list and the metric values. */
@Path(ExternalMetricsApi.PATH)
@Produces(MediaType.APPLICATION_JSON)
public class ExternalMetricsResource {

    private final ExternalMetricsProvider provider;
    private final ListedMetricNames listed;

    public ExternalMetricsResource(ExternalMetricsProvider provider, ListedMetricNames listed) {
        this.provider = provider;
        this.listed = listed;
    }

    /**
     * Never empty and never dependent on Elasticsearch or the upstream provider (whose names are the last it
     * listed): the aggregator probes it to decide availability.
     */
    @GET
    @NonBlocking
    public APIResourceList resources() {
        List<APIResource> resources = listed.all().stream()
                .map(name -> new APIResourceBuilder()
                        .withName(name)
                        .withSingularName("")
                        .withNamespaced(true)
                        .withKind("ExternalMetricValueList")
                        .withVerbs("get")
                        .build())
                .toList();
        return new APIResourceListBuilder()
                .withGroupVersion(ExternalMetricsApi.GROUP_VERSION)
                .withResources(resources)
                .build();
    }

    /**
     * On the event loop: what the HPA controller polls is almost always in memory, and handing every request
     * to a worker thread would cost more than the answer itself. Only a search goes to a worker thread.
     */
    @GET
    @Path("namespaces/{namespace}/{metric}")
    public Uni<ExternalMetricValueList> values(@PathParam("namespace") String namespace, @PathParam("metric") String metric,
            @QueryParam("labelSelector") String labelSelector) {
        ExternalMetricsApi.requireValidNamespace(namespace);
        LabelSelector selector = LabelSelector.parse(labelSelector);
        Optional<List<MetricValue>> inMemory = provider.valuesInMemory(namespace, metric, selector);
        if (inMemory.isPresent()) {
            return Uni.createFrom().item(ExternalMetricValueList.from(inMemory.get()));
        }
        return Uni.createFrom().item(() -> ExternalMetricValueList.from(provider.values(namespace, metric, selector)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}

package io.esmetrics.adapter.externalmetrics;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Legacy (unaggregated) discovery: {@code /apis} and {@code /apis/external.metrics.k8s.io}. The aggregator
 * also asks {@code /apis} for the aggregated form (APIGroupDiscoveryList); it falls back to this legacy
 * form when the answer's content type says plain {@code application/json}, which ours always does.
 */
@Path("/apis")
@Produces(MediaType.APPLICATION_JSON)
public class DiscoveryResource {

    private static final GroupVersionForDiscovery V1BETA1 =
            new GroupVersionForDiscovery(ExternalMetricsApi.GROUP_VERSION, ExternalMetricsApi.VERSION);

    @GET
    public APIGroupList groups() {
        return new APIGroupListBuilder().withGroups(group()).build();
    }

    @GET
    @Path(ExternalMetricsApi.GROUP)
    public APIGroup group() {
        return new APIGroupBuilder()
                .withName(ExternalMetricsApi.GROUP)
                .withVersions(V1BETA1)
                .withPreferredVersion(V1BETA1)
                .build();
    }
}

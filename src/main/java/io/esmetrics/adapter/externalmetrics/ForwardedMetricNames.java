package io.esmetrics.adapter.externalmetrics;

import java.util.Set;

/**
 * The metric names another provider serves through this adapter (the upstream provider), as last seen: listed in
 * discovery and the OpenAPI documents beside this adapter's own. Never fetched on the request path.
 */
public interface ForwardedMetricNames {

    Set<String> names();
}

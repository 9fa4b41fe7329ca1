package io.esmetrics.adapter.rules;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Arrays;
import java.util.Optional;

/** Whether a metric reads only the documents of the HPA's namespace, or an index with no namespace field. */
// Read by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
public enum Scope {
    /** Only documents whose namespace field equals the namespace in the request path. */
    NAMESPACED(Scope.NAMESPACED_NAME),
    /** Every document of the index, whatever namespace asks (e.g. Elasticsearch's own monitoring indices). */
    CLUSTER(Scope.CLUSTER_NAME);

    /** The wire names as constants, for the descriptions of {@link MetricDefinition}. */
    public static final String NAMESPACED_NAME = "Namespaced";
    public static final String CLUSTER_NAME = "Cluster";

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<Scope> fromWireName(String name) {
        return Arrays.stream(values()).filter(scope -> scope.wireName.equals(name)).findFirst();
    }
}

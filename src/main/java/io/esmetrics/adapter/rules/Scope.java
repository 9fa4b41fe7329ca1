package io.esmetrics.adapter.rules;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Whether a metric reads only the documents of the HPA's namespace, or an index with no namespace field. */
// Read by Jackson through reflection, which a native image must be told about.
@RegisterForReflection
public enum Scope {
    /** Only documents whose namespace field equals the namespace in the request path. */
    NAMESPACED("Namespaced"),
    /** Every document of the index, whatever namespace asks (e.g. Elasticsearch's own monitoring indices). */
    CLUSTER("Cluster");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }
}

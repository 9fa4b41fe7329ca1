package io.esmetrics.adapter.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Optional;

/**
 * The namespace the adapter runs in, where what is its own lives (the status writer's Lease, the self-managed
 * certificate's Secret): its service account's in a pod, else {@code quarkus.kubernetes-client.namespace}, else the
 * kubeconfig context's. Outside a cluster there may be none: the features that need one are then off, each with
 * one log line, and the adapter serves anyway.
 */
@ApplicationScoped
public class OwnNamespace {

    /** The property that names it where nothing else does. */
    public static final String PROPERTY = "quarkus.kubernetes-client.namespace";

    private final Instance<KubernetesClient> client;

    OwnNamespace(Instance<KubernetesClient> client) {
        this.client = client;
    }

    public Optional<String> get() {
        return Optional.ofNullable(client.get().getNamespace()).filter(namespace -> !namespace.isBlank());
    }
}

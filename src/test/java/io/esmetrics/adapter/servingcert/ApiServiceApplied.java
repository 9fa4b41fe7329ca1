package io.esmetrics.adapter.servingcert;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.APIServiceBuilder;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.function.Consumer;

/** apiservice.yaml applied before the adapter starts, as on a bare cluster: this adapter's Service, no caBundle. */
public final class ApiServiceApplied implements Consumer<KubernetesServer> {

    static final String NAME = "v1beta1.external.metrics.k8s.io";

    @Override
    public void accept(KubernetesServer server) {
        server.getClient().resources(APIService.class).resource(ours()).create();
    }

    static APIService ours() {
        return apiService("es-metrics-adapter", "es-metrics-adapter");
    }

    static APIService apiService(String namespace, String service) {
        return new APIServiceBuilder()
                .withNewMetadata().withName(NAME).endMetadata()
                .withNewSpec()
                .withGroup("external.metrics.k8s.io")
                .withVersion("v1beta1")
                .withNewService().withNamespace(namespace).withName(service).withPort(443).endService()
                .withGroupPriorityMinimum(100)
                .withVersionPriority(100)
                .endSpec()
                .build();
    }
}

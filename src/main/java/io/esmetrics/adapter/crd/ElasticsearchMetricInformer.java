package io.esmetrics.adapter.crd;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

/**
 * Watches ElasticsearchMetric resources in every namespace and keeps {@link ElasticsearchMetricRules} current:
 * a created, changed or deleted resource takes effect as soon as its watch event arrives.
 */
@ApplicationScoped
class ElasticsearchMetricInformer {

    private final CustomResourcesConfig config;
    private final Instance<KubernetesClient> client;
    private final ElasticsearchMetricRules rules;
    private SharedIndexInformer<ElasticsearchMetric> informer;

    ElasticsearchMetricInformer(CustomResourcesConfig config, Instance<KubernetesClient> client, ElasticsearchMetricRules rules) {
        this.config = config;
        this.client = client;
        this.rules = rules;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        informer = client.get().resources(ElasticsearchMetric.class).inAnyNamespace().runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ElasticsearchMetric resource) {
                rules.put(resource);
            }

            @Override
            public void onUpdate(ElasticsearchMetric previous, ElasticsearchMetric resource) {
                rules.put(resource);
            }

            @Override
            public void onDelete(ElasticsearchMetric resource, boolean finalStateUnknown) {
                rules.remove(resource);
            }
        });
        // Keep retrying instead of failing start-up: configured metrics must be served even while the CRD is
        // missing or the API server is unreachable, and the watch recovers once it is back.
        informer.exceptionHandler((started, error) -> {
            Log.warnf("Watching ElasticsearchMetric resources failed, retrying: %s", error.toString());
            return true;
        });
        informer.start().whenComplete((ignored, error) -> {
            if (error == null) {
                Log.infof("Watching ElasticsearchMetric resources: %d found", informer.getStore().list().size());
            }
        });
    }

    @PreDestroy
    void stop() {
        if (informer != null) {
            informer.close();
        }
    }
}

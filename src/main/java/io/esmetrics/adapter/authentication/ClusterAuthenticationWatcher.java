package io.esmetrics.adapter.authentication;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches {@code kube-system/extension-apiserver-authentication}: a rotated CA or a changed list of allowed
 * front-proxy names takes effect without a restart. Until the ConfigMap is read, no certificate authenticates
 * (fail closed); bearer tokens still work through TokenReview.
 */
@ApplicationScoped
public class ClusterAuthenticationWatcher {

    private final KubernetesClient client;
    private final AuthenticationConfig config;
    private final AtomicReference<ClusterAuthentication> current = new AtomicReference<>(ClusterAuthentication.NONE);
    private SharedIndexInformer<ConfigMap> informer;

    public ClusterAuthenticationWatcher(KubernetesClient client, AuthenticationConfig config) {
        this.client = client;
        this.config = config;
    }

    ClusterAuthentication current() {
        return current.get();
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        informer = client.configMaps().inNamespace(config.configMapNamespace()).withName(config.configMapName())
                .runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap configMap) {
                apply(configMap);
            }

            @Override
            public void onUpdate(ConfigMap old, ConfigMap configMap) {
                apply(configMap);
            }

            @Override
            public void onDelete(ConfigMap configMap, boolean finalStateUnknown) {
                Log.warnf("ConfigMap %s/%s was deleted: client and front-proxy certificates are refused until it returns",
                        config.configMapNamespace(), config.configMapName());
                current.set(ClusterAuthentication.NONE);
            }
        });
        // An API server that is unreachable at start-up (or later) must not leave the adapter refusing the
        // aggregator until a restart: keep retrying, with the informer's own backoff.
        informer.exceptionHandler((started, failure) -> {
            Log.warnf("Cannot watch ConfigMap %s/%s, retrying (until it is read, client and front-proxy certificates "
                    + "are refused): %s", config.configMapNamespace(), config.configMapName(), failure.toString());
            return true;
        });
        informer.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.close();
        }
    }

    private void apply(ConfigMap configMap) {
        try {
            ClusterAuthentication parsed = ClusterAuthentication.parse(configMap.getData() == null ? Map.of() : configMap.getData());
            current.set(parsed);
            Log.infof("Loaded %s/%s: %d client CA(s), %d front-proxy CA(s), allowed front-proxy names %s",
                    config.configMapNamespace(), config.configMapName(), parsed.clientCa().size(),
                    parsed.requestHeaderCa().size(), parsed.allowedNames().isEmpty() ? "any" : parsed.allowedNames());
        } catch (IllegalArgumentException e) {
            Log.errorf("Ignoring an invalid %s/%s, keeping the previous one: %s", config.configMapNamespace(),
                    config.configMapName(), e.getMessage());
        }
    }
}

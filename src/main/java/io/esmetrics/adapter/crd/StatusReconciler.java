package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.externalmetrics.CanonicalQuantity;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.NoCurrentDataException;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.time.PeriodicWork;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Every {@code statusInterval}, evaluates each ElasticsearchMetric through the provider seam (the path an HPA's
 * request takes) and writes its status when it changed. HPA polls never write statuses: their rate is the
 * cluster's, this one is ours and bounded. Only the replica elected by {@link StatusWriterElection} writes.
 */
@ApplicationScoped
class StatusReconciler {

    private final CustomResourcesConfig config;
    private final ElasticsearchMetricRules declared;
    private final MetricRules rules;
    private final ExternalMetricsProvider provider;
    private final Instance<KubernetesClient> client;
    private final StatusWriterElection election;
    private final Clock clock;
    /** Status last written per resource uid: the informer's copy may lag behind our own writes. */
    private final Map<String, ElasticsearchMetricStatus> written = new ConcurrentHashMap<>();
    private PeriodicWork executor;

    StatusReconciler(CustomResourcesConfig config, ElasticsearchMetricRules declared, MetricRules rules,
            ExternalMetricsProvider provider, Instance<KubernetesClient> client, StatusWriterElection election, Clock clock) {
        this.clock = clock;
        this.config = config;
        this.declared = declared;
        this.rules = rules;
        this.provider = provider;
        this.client = client;
        this.election = election;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        executor = PeriodicWork.start("elasticsearchmetric-status", "writing the status of ElasticsearchMetrics",
                config.statusInterval(), config.statusInterval(), this::reconcileAll);
    }

    @PreDestroy
    void stop() {
        if (executor != null) {
            executor.close();
        }
    }

    void reconcileAll() {
        if (!election.leading()) {
            // Another replica writes; what this one wrote before may have been overwritten since.
            written.clear();
            return;
        }
        Set<String> present = declared.all().stream().map(entry -> entry.resource().getMetadata().getUid())
                .collect(Collectors.toSet());
        written.keySet().retainAll(present);
        for (ElasticsearchMetricRules.Declared entry : declared.all()) {
            try {
                reconcile(entry);
            } catch (RuntimeException e) {
                // One resource's failure (a conflict, a deleted namespace) must not stop the others' statuses.
                Log.debugf(e, "Status of %s not written", ElasticsearchMetricConverter.source(entry.resource()));
            }
        }
    }

    private void reconcile(ElasticsearchMetricRules.Declared entry) {
        ElasticsearchMetric resource = entry.resource();
        String uid = resource.getMetadata().getUid();
        StatusFactory.Outcome outcome = evaluate(entry);
        if (outcome == null) {
            return;
        }
        ElasticsearchMetricStatus previous = written.getOrDefault(uid, resource.getStatus());
        ElasticsearchMetricStatus next = StatusFactory.next(previous, resource.getMetadata().getGeneration(), outcome,
                clock.instant());
        if (!StatusFactory.needsWrite(previous, next, clock.instant(), config.statusRefresh())) {
            return;
        }
        ElasticsearchMetric update = new ElasticsearchMetric();
        update.setMetadata(new ObjectMetaBuilder(resource.getMetadata()).build());
        update.setSpec(resource.getSpec());
        update.setStatus(next);
        try {
            client.get().resources(ElasticsearchMetric.class).inNamespace(resource.getMetadata().getNamespace())
                    .resource(update).updateStatus();
            written.put(uid, next);
        } catch (KubernetesClientException e) {
            // 409: the resource changed since the informer saw it; the next round works on the newer one.
            // 404: deleted meanwhile. Either way nothing to keep.
            written.remove(uid);
            if (e.getCode() != 409 && e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static StatusFactory.Outcome problem(BackendUnavailableException failure) {
        return failure instanceof NoCurrentDataException noData
                ? new StatusFactory.Outcome.NoCurrentData(noData.kind().reason(), noData.getMessage())
                : new StatusFactory.Outcome.BackendError(failure.getMessage());
    }

    /** What the resource yields now; null when it disappeared meanwhile. */
    private StatusFactory.Outcome evaluate(ElasticsearchMetricRules.Declared entry) {
        String namespace = entry.resource().getMetadata().getNamespace();
        String name = entry.resource().getMetadata().getName();
        if (entry.problem().isPresent()) {
            return new StatusFactory.Outcome.Invalid("InvalidSpec", entry.problem().get());
        }
        if (rules.configured(name)) {
            return new StatusFactory.Outcome.Invalid("NameConflict", "the adapter's configuration already defines metric "
                    + name + ", which takes precedence in every namespace; rename this resource");
        }
        try {
            BigDecimal total = provider.values(namespace, name, LabelSelector.everything()).stream()
                    .map(MetricValue::value).reduce(BigDecimal.ZERO, BigDecimal::add);
            return new StatusFactory.Outcome.Value(CanonicalQuantity.format(total),
                    provider.lastFailure(namespace, name, LabelSelector.everything()).map(StatusReconciler::problem));
        } catch (MetricNotFoundException e) {
            return null;
        } catch (BackendUnavailableException e) {
            return problem(e);
        } catch (RuntimeException e) {
            return new StatusFactory.Outcome.BackendError(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }
}

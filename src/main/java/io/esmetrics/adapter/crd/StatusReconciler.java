package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.externalmetrics.CanonicalQuantity;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.HeldAnswer;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.NoCurrentDataException;
import io.esmetrics.adapter.provider.TooManySearchesException;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.time.PeriodicWork;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Every {@code statusInterval}, evaluates each ElasticsearchMetric through the provider seam and writes its status
 * when it changed. HPA polls never write statuses: their rate is the cluster's, this one is ours and bounded. Only the
 * replica elected by {@link StatusWriterElection} writes.
 * <p>
 * Cost follows use: a resource HPAs read has its answer held and refreshed for them, and its status shows that answer
 * without a search (and without counting as a read, which would keep it refreshed for ever). A resource nobody reads
 * is searched for at most every {@code unused-status-interval}, within its namespace's miss limit, its answer not
 * kept; a new or changed one at once.
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
    /** When each unread resource (by uid) was last searched for, and at which generation. */
    private final Map<String, Searched> searched = new ConcurrentHashMap<>();
    private final Counter searches;
    private PeriodicWork executor;

    private record Searched(Long generation, Instant at) {
    }

    StatusReconciler(CustomResourcesConfig config, ElasticsearchMetricRules declared, MetricRules rules,
            ExternalMetricsProvider provider, Instance<KubernetesClient> client, StatusWriterElection election, Clock clock,
            MeterRegistry registry) {
        this.searches = Counter.builder("esmetrics.custom.resources.status.searches")
                .description("Searches made for the status of ElasticsearchMetrics no HPA reads (those read cost none)")
                .register(registry);
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
            searched.clear();
            return;
        }
        Set<String> present = declared.all().stream().map(entry -> entry.resource().getMetadata().getUid())
                .collect(Collectors.toSet());
        written.keySet().retainAll(present);
        searched.keySet().retainAll(present);
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

    /** What the resource yields now; null when there is nothing new to say, or it disappeared meanwhile. */
    private StatusFactory.Outcome evaluate(ElasticsearchMetricRules.Declared entry) {
        ElasticsearchMetric resource = entry.resource();
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        if (entry.problem().isPresent()) {
            return new StatusFactory.Outcome.Invalid("InvalidSpec", entry.problem().get());
        }
        if (rules.configured(name)) {
            return new StatusFactory.Outcome.Invalid("NameConflict", "the adapter's configuration already defines metric "
                    + name + ", which takes precedence in every namespace; rename this resource");
        }
        try {
            Optional<HeldAnswer> held = provider.held(namespace, name, LabelSelector.everything());
            if (held.isPresent()) {
                return fromHeld(held.get());
            }
            return searchedIfDue(resource);
        } catch (MetricNotFoundException e) {
            return null;
        }
    }

    /** A read resource: the answer its readers get, as the cache holds it; null while its first search runs. */
    private static StatusFactory.Outcome fromHeld(HeldAnswer held) {
        if (held.served() && held.values().isPresent()) {
            return new StatusFactory.Outcome.Value(total(held.values().get()), held.lastFailure().map(StatusReconciler::problem));
        }
        return held.lastFailure().map(StatusReconciler::problem).orElse(null);
    }

    /** An unread resource: one search, not kept, if its interval has passed or its spec changed since the last one. */
    private StatusFactory.Outcome searchedIfDue(ElasticsearchMetric resource) {
        String uid = resource.getMetadata().getUid();
        Long generation = resource.getMetadata().getGeneration();
        Instant now = clock.instant();
        Searched last = searched.get(uid);
        if (last != null && Objects.equals(last.generation(), generation)
                && last.at().plus(config.unusedStatusInterval()).isAfter(now)) {
            return null;
        }
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        StatusFactory.Outcome outcome;
        try {
            outcome = new StatusFactory.Outcome.Value(total(provider.computeWithoutKeeping(namespace, name,
                    LabelSelector.everything())));
        } catch (TooManySearchesException e) {
            // The namespace's own reads used its share: its status waits for a later round, not the reads for it.
            return null;
        } catch (MetricNotFoundException e) {
            throw e;
        } catch (BackendUnavailableException e) {
            outcome = problem(e);
        } catch (RuntimeException e) {
            outcome = new StatusFactory.Outcome.BackendError(e.getMessage() != null ? e.getMessage() : e.toString());
        }
        searches.increment();
        searched.put(uid, new Searched(generation, now));
        return outcome;
    }

    private static String total(List<MetricValue> values) {
        return CanonicalQuantity.format(values.stream().map(MetricValue::value).reduce(BigDecimal.ZERO, BigDecimal::add));
    }
}

package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.MetricDefinitionChanged;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.NamespacedRules;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * The ElasticsearchMetric resources the informer has seen, each with its rule or the reason it has none. An
 * invalid resource is kept (its status says why) but serves nothing; it never affects the others. Beyond
 * {@code adapter.custom-resources.max-per-namespace} valid resources in a namespace, the newest are not served either
 * (oldest first, then by name, so that which ones does not change with the order the informer sees them).
 */
@ApplicationScoped
class ElasticsearchMetricRules implements NamespacedRules {

    /** A resource and what became of it: exactly one of rule and problem is present. */
    record Declared(ElasticsearchMetric resource, Optional<MetricRule> rule, Optional<String> problem) {
    }

    private record Key(String namespace, String name) {
    }

    private final ElasticsearchMetricConverter converter;
    private final Event<MetricDefinitionChanged> changed;
    private final int maxPerNamespace;
    private final ConcurrentMap<Key, Declared> declared = new ConcurrentHashMap<>();
    /** Valid resources past their namespace's bound: recomputed on every change, read on every request. */
    private volatile Set<Key> overBound = Set.of();

    ElasticsearchMetricRules(CustomResourcesConfig config, Event<MetricDefinitionChanged> changed, MeterRegistry registry) {
        this.converter = new ElasticsearchMetricConverter(config);
        this.changed = changed;
        this.maxPerNamespace = config.maxPerNamespace();
        Gauge.builder("esmetrics.custom.resources.over.bound", () -> overBound.size())
                .description("Valid ElasticsearchMetrics not served because their namespace has more than "
                        + "adapter.custom-resources.max-per-namespace")
                .register(registry);
    }

    void put(ElasticsearchMetric resource) {
        Declared entry;
        try {
            entry = new Declared(resource, Optional.of(converter.toRule(resource)), Optional.empty());
        } catch (RuntimeException e) {
            // Whatever the spec holds, one bad resource must not stop the informer nor hide the other metrics.
            Log.infof("Ignoring %s: %s", ElasticsearchMetricConverter.source(resource), e.getMessage());
            entry = new Declared(resource, Optional.empty(), Optional.of(e.getMessage()));
        }
        Declared previous = declared.put(key(resource), entry);
        // Most updates are status writes: only a resource that appears, or turns valid or invalid, moves the bound.
        if (previous == null || previous.rule().isPresent() != entry.rule().isPresent()) {
            boundChanged();
        }
        // Status writes update the resource too: only a different rule makes the values computed so far wrong.
        if (previous != null && !previous.rule().equals(entry.rule())) {
            changed.fire(new MetricDefinitionChanged(resource.getMetadata().getNamespace(), resource.getMetadata().getName()));
        }
    }

    void remove(ElasticsearchMetric resource) {
        if (declared.remove(key(resource)) != null) {
            boundChanged();
            changed.fire(new MetricDefinitionChanged(resource.getMetadata().getNamespace(), resource.getMetadata().getName()));
        }
    }

    /** Every resource, those past their namespace's bound with that as their problem. */
    List<Declared> all() {
        Set<Key> over = overBound;
        return declared.entrySet().stream().map(entry -> over.contains(entry.getKey())
                ? new Declared(entry.getValue().resource(), Optional.empty(), Optional.of("namespace "
                        + entry.getKey().namespace() + " has more than " + maxPerNamespace + " ElasticsearchMetrics, the"
                        + " bound of this cluster (adapter.custom-resources.max-per-namespace): the newest are not served"))
                : entry.getValue()).toList();
    }

    @Override
    public Optional<MetricRule> find(String namespace, String name) {
        Key key = new Key(namespace, name);
        return overBound.contains(key) ? Optional.empty() : Optional.ofNullable(declared.get(key)).flatMap(Declared::rule);
    }

    @Override
    public Collection<String> names() {
        Set<Key> over = overBound;
        TreeSet<String> names = new TreeSet<>();
        declared.forEach((key, entry) -> entry.rule().filter(rule -> !over.contains(key)).ifPresent(rule -> names.add(key.name())));
        return names;
    }

    private synchronized void boundChanged() {
        Map<String, List<Map.Entry<Key, Declared>>> valid = declared.entrySet().stream()
                .filter(entry -> entry.getValue().rule().isPresent())
                .collect(Collectors.groupingBy(entry -> entry.getKey().namespace()));
        Set<Key> over = new HashSet<>();
        valid.values().forEach(entries -> entries.stream()
                .sorted(Comparator.comparing((Map.Entry<Key, Declared> entry) -> createdAt(entry.getValue().resource()))
                        .thenComparing(entry -> entry.getKey().name()))
                .skip(maxPerNamespace)
                .forEach(entry -> over.add(entry.getKey())));
        overBound = Set.copyOf(over);
    }

    /** RFC 3339 in UTC, as the API server writes it: its text sorts as its time. */
    private static String createdAt(ElasticsearchMetric resource) {
        String created = resource.getMetadata().getCreationTimestamp();
        return created == null ? "" : created;
    }

    private static Key key(ElasticsearchMetric resource) {
        return new Key(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }
}

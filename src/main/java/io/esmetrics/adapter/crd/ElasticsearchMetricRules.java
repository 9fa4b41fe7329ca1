package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.MetricDefinitionChanged;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.NamespacedRules;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The ElasticsearchMetric resources the informer has seen, each with its rule or the reason it has none. An
 * invalid resource is kept (its status says why) but serves nothing; it never affects the others.
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
    private final ConcurrentMap<Key, Declared> declared = new ConcurrentHashMap<>();

    ElasticsearchMetricRules(CustomResourcesConfig config, Event<MetricDefinitionChanged> changed) {
        this.converter = new ElasticsearchMetricConverter(config);
        this.changed = changed;
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
        // Status writes update the resource too: only a different rule makes the values computed so far wrong.
        if (previous != null && !previous.rule().equals(entry.rule())) {
            changed.fire(new MetricDefinitionChanged(resource.getMetadata().getNamespace(), resource.getMetadata().getName()));
        }
    }

    void remove(ElasticsearchMetric resource) {
        if (declared.remove(key(resource)) != null) {
            changed.fire(new MetricDefinitionChanged(resource.getMetadata().getNamespace(), resource.getMetadata().getName()));
        }
    }

    List<Declared> all() {
        return List.copyOf(declared.values());
    }

    @Override
    public Optional<MetricRule> find(String namespace, String name) {
        return Optional.ofNullable(declared.get(new Key(namespace, name))).flatMap(Declared::rule);
    }

    @Override
    public Collection<String> names() {
        TreeSet<String> names = new TreeSet<>();
        declared.forEach((key, entry) -> entry.rule().ifPresent(rule -> names.add(key.name())));
        return names;
    }

    private static Key key(ElasticsearchMetric resource) {
        return new Key(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }
}

package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The field a metric's declared field names really are in its indices, and their Elasticsearch types. Labels,
 * the namespace and filters need exact values (terms, composite buckets), which only aggregatable fields give. An
 * index written without our index template maps strings as {@code text} with an aggregatable {@code .keyword}
 * sub-field (Elasticsearch's dynamic mapping): that sub-field is used instead, as Kibana does. Built from a
 * {@code _field_caps} answer; pure.
 *
 * @param names   declared field → field to query
 * @param types   field to query → its mapped types (e.g. {@code keyword}, {@code long}); empty when unmapped
 * @param problem why a declared field cannot be used, naming the field and the fix; index names stay out of it,
 *                since a team's ElasticsearchMetric may name indices of others
 * @param problemIndices some of the indices where it cannot, for the operators' log
 */
record ResolvedFields(Map<String, String> names, Map<String, Set<String>> types, Optional<String> problem,
        List<String> problemIndices) {

    private static final String KEYWORD = ".keyword";
    /** Types that are not fields of their own: the parents of dotted names. */
    private static final Set<String> NOT_A_VALUE = Set.of("unmapped", "object", "nested");

    /** The fields as declared, types unknown: values pass as written (unit tests of the request shapes). */
    static final ResolvedFields AS_DECLARED = new ResolvedFields(Map.of(), Map.of(), Optional.empty(), List.of());

    ResolvedFields {
        names = Map.copyOf(names);
        types = Map.copyOf(types);
        problemIndices = List.copyOf(problemIndices);
    }

    /** The field to query for the declared {@code field}. */
    String name(String field) {
        return names.getOrDefault(field, field);
    }

    /** The mapped types of the field queried for the declared {@code field}; empty when unknown or unmapped. */
    Set<String> types(String field) {
        return types.getOrDefault(name(field), Set.of());
    }

    /** The names of the fields to ask {@code _field_caps} about: each declared one and its keyword sub-field. */
    static List<String> candidates(Collection<String> declared) {
        TreeSet<String> candidates = new TreeSet<>();
        declared.forEach(field -> {
            candidates.add(field);
            candidates.add(field + KEYWORD);
        });
        return List.copyOf(candidates);
    }

    static ResolvedFields from(JsonNode fieldCaps, Collection<String> declared, String indexPattern) {
        Set<String> all = new TreeSet<>();
        fieldCaps.path("indices").forEach(index -> all.add(index.asText()));
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, Set<String>> types = new LinkedHashMap<>();
        for (String field : new TreeSet<>(declared)) {
            Capability own = Capability.of(fieldCaps.path("fields").path(field), all);
            Capability keyword = Capability.of(fieldCaps.path("fields").path(field + KEYWORD), all);
            if (own.nonAggregatable().isEmpty()) {
                names.put(field, field);
                types.put(field, own.types());
            } else if (keyword.nonAggregatable().isEmpty() && keyword.aggregatable().containsAll(own.mapped())) {
                names.put(field, field + KEYWORD);
                types.put(field + KEYWORD, keyword.types());
            } else {
                int count = own.nonAggregatable().size();
                return new ResolvedFields(names, types, Optional.of("field " + field + " is " + String.join(" or ",
                        own.nonAggregatableTypes()) + " in " + count + " of the " + all.size() + " indices of " + indexPattern
                        + " holding recent events, which cannot be aggregated, and " + field + KEYWORD + " is not an"
                        + " aggregatable keyword in every index that has " + field + ". Map " + field + " as keyword:"
                        + " install the index template that the setup Job installs"
                        + " (k8s/elasticsearch/ai-events-index-template.json for the event contract) or one of your own, then"
                        + " roll the indices over"), own.nonAggregatable().stream().limit(3).toList());
            }
        }
        return new ResolvedFields(names, types, Optional.empty(), List.of());
    }

    /** Where one field name is mapped, and where it can be aggregated, across the indices of the answer. */
    private record Capability(Set<String> types, Set<String> mapped, Set<String> aggregatable, Set<String> nonAggregatable,
            Set<String> nonAggregatableTypes) {

        static Capability of(JsonNode byType, Set<String> all) {
            Set<String> types = new TreeSet<>();
            Set<String> mapped = new HashSet<>();
            Set<String> nonAggregatable = new TreeSet<>();
            Set<String> nonAggregatableTypes = new TreeSet<>();
            byType.properties().forEach(entry -> {
                if (NOT_A_VALUE.contains(entry.getKey())) {
                    return;
                }
                JsonNode capability = entry.getValue();
                Set<String> indices = indices(capability.path("indices"), all);
                types.add(entry.getKey());
                mapped.addAll(indices);
                if (!capability.path("aggregatable").asBoolean(false)) {
                    nonAggregatable.addAll(capability.has("non_aggregatable_indices")
                            ? indices(capability.path("non_aggregatable_indices"), all) : indices);
                    nonAggregatableTypes.add(entry.getKey());
                }
            });
            Set<String> aggregatable = new HashSet<>(mapped);
            aggregatable.removeAll(nonAggregatable);
            return new Capability(types, mapped, aggregatable, nonAggregatable, nonAggregatableTypes);
        }

        /** An entry lists its indices only when the field differs between indices; otherwise it holds in all. */
        private static Set<String> indices(JsonNode listed, Set<String> all) {
            if (!listed.isArray()) {
                return all;
            }
            Set<String> indices = new HashSet<>();
            listed.forEach(index -> indices.add(index.asText()));
            return indices;
        }
    }
}

package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One search of an {@code _msearch} batch and the queries of the batch it answers.
 *
 * <p>A metric that splits into series is searched with a {@code composite} aggregation over every declared
 * label (with {@code missing_bucket}), so each series carries all of its label values. The answer for any
 * selector is then exactly the series of the selector-less search whose labels the selector matches: however
 * many HPAs ask for one metric in one namespace, with whatever selectors, one search answers them all
 * ({@link #shared}), and each answer is filtered in memory. This holds for single-valued label fields, which
 * the event contract guarantees (Logstash writes one keyword per field). A field holding an array would
 * differ: a document with {@code service: [a, b]} is one bucket per value in the shared search, while a
 * selected search keeps its {@code b} bucket for {@code service=a} and drops the whole document for
 * {@code service!=a}.
 *
 * <p>The same holds across namespaces: the answers of a configured metric in many namespaces come from one search
 * grouped by the namespace field as well ({@link #acrossNamespaces}), since a namespace's buckets only ever hold
 * its own documents. So the refresh of a configured metric costs one search per refresh interval, whatever the
 * number of namespaces asking.
 *
 * @param namespaces the namespaces searched: one, or several for a search across namespaces
 * @param selector   what Elasticsearch filters on: the query's own selector, or none when shared
 * @param shared     whether the members' selectors still have to be applied to the series found
 */
record BatchedSearch(MetricRule rule, List<String> namespaces, LabelSelector selector, boolean shared, List<Member> members) {

    /** A query of the batch: its position in the batch, its namespace and its selector. */
    record Member(int position, String namespace, LabelSelector selector) {
    }

    /** A query whose metric rule was found and whose labels are declared, ready to be searched. */
    record Resolved(int position, MetricQuery query, MetricRule rule) {

        Member member() {
            return new Member(position, query.namespace(), query.selector());
        }
    }

    /** What one search answers: a metric in one namespace, or (namespace {@code null}) in every namespace asked. */
    private record Group(String namespace, MetricRule rule) {
    }

    BatchedSearch {
        namespaces = List.copyOf(namespaces);
        members = List.copyOf(members);
    }

    /** The one namespace of a search that is not across namespaces. */
    String namespace() {
        return namespaces.get(0);
    }

    boolean acrossNamespaces() {
        return namespaces.size() > 1;
    }

    /**
     * One search for every query of a metric {@code searchedAcross} accepts, whatever their namespaces and selectors;
     * one shared search per (namespace, metric) asked for by two queries or more, when the metric splits into series;
     * one search per query otherwise (a single query, or a metric whose one value — an average, a minimum — cannot be
     * taken apart into series).
     */
    static List<BatchedSearch> plan(List<Resolved> queries, Predicate<MetricRule> searchedAcross) {
        Map<Group, List<Resolved>> groups = new LinkedHashMap<>();
        for (Resolved query : queries) {
            boolean across = searchedAcross.test(query.rule());
            groups.computeIfAbsent(new Group(across ? null : query.query().namespace(), query.rule()),
                    group -> new ArrayList<>()).add(query);
        }
        List<BatchedSearch> searches = new ArrayList<>();
        groups.forEach((group, members) -> {
            if (members.size() > 1 && group.rule().splitsIntoSeries()) {
                searches.add(shared(group.rule(), members.stream().map(Resolved::member).toList()));
            } else {
                members.forEach(member -> searches.add(single(group.rule(), member.member())));
            }
        });
        return searches;
    }

    /**
     * The same queries, searched in smaller pieces: for a shared search whose series are too many. A search across
     * namespaces becomes one shared search per namespace, a shared search in one namespace one search per query
     * (each selector may select few enough series).
     */
    List<BatchedSearch> separately() {
        if (!acrossNamespaces()) {
            return members.stream().map(member -> single(rule, member)).toList();
        }
        Map<String, List<Member>> byNamespace = new LinkedHashMap<>();
        members.forEach(member -> byNamespace.computeIfAbsent(member.namespace(), namespace -> new ArrayList<>()).add(member));
        return byNamespace.values().stream()
                .map(own -> own.size() > 1 ? shared(rule, own) : single(rule, own.get(0)))
                .toList();
    }

    /**
     * The queries of one namespace of this search that has too many series, one search each; not the one without a
     * selector, which would only find too many again.
     */
    List<BatchedSearch> separately(String namespace) {
        return members.stream().filter(member -> member.namespace().equals(namespace) && !member.selector().isEmpty())
                .map(member -> single(rule, member)).toList();
    }

    private static BatchedSearch shared(MetricRule rule, List<Member> members) {
        List<String> namespaces = List.copyOf(new LinkedHashSet<>(members.stream().map(Member::namespace).toList()));
        return new BatchedSearch(rule, namespaces, LabelSelector.everything(), true, members);
    }

    private static BatchedSearch single(MetricRule rule, Member member) {
        return new BatchedSearch(rule, List.of(member.namespace()), member.selector(), false, List.of(member));
    }
}

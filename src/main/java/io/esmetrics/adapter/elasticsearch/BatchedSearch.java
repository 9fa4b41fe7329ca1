package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param selector what Elasticsearch filters on: the query's own selector, or none when shared
 * @param shared   whether the members' selectors still have to be applied to the series found
 */
record BatchedSearch(MetricRule rule, String namespace, LabelSelector selector, boolean shared, List<Member> members) {

    /** A query of the batch: its position in the batch and its selector. */
    record Member(int position, LabelSelector selector) {
    }

    /** A query whose metric rule was found and whose labels are declared, ready to be searched. */
    record Resolved(int position, MetricQuery query, MetricRule rule) {
    }

    private record Group(String namespace, MetricRule rule) {
    }

    BatchedSearch {
        members = List.copyOf(members);
    }

    /**
     * One shared search per (namespace, metric) asked for by two queries or more, when the metric splits into
     * series; one search per query otherwise (a single query, or a metric whose one value — an average, a
     * minimum — cannot be taken apart into series).
     */
    static List<BatchedSearch> plan(List<Resolved> queries) {
        Map<Group, List<Resolved>> groups = new LinkedHashMap<>();
        for (Resolved query : queries) {
            groups.computeIfAbsent(new Group(query.query().namespace(), query.rule()), group -> new ArrayList<>()).add(query);
        }
        List<BatchedSearch> searches = new ArrayList<>();
        groups.forEach((group, members) -> {
            if (members.size() > 1 && SearchRequestFactory.splitsIntoSeries(group.rule())) {
                searches.add(new BatchedSearch(group.rule(), group.namespace(), LabelSelector.everything(), true,
                        members.stream().map(member -> new Member(member.position(), member.query().selector())).toList()));
            } else {
                members.forEach(member -> searches.add(single(group.rule(), group.namespace(),
                        new Member(member.position(), member.query().selector()))));
            }
        });
        return searches;
    }

    /** The same queries, one search each: for a shared search whose namespace-wide series are too many. */
    List<BatchedSearch> separately() {
        return members.stream().map(member -> single(rule, namespace, member)).toList();
    }

    private static BatchedSearch single(MetricRule rule, String namespace, Member member) {
        return new BatchedSearch(rule, namespace, member.selector(), false, List.of(member));
    }
}

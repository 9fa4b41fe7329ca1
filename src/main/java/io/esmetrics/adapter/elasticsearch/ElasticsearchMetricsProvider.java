package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.provider.Backend;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.selector.Requirement;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Answers metric requests with one search (or a few pages of series) against Elasticsearch, and batches of
 * them with one {@code _msearch}. A metric is computed only from current data (events still arrive in its
 * indices, {@link IngestWatch}) and with the fields its indices really have ({@link FieldCapabilities}).
 */
@Backend
@ApplicationScoped
class ElasticsearchMetricsProvider implements ExternalMetricsProvider {

    /** What a rule is searched with, or why it cannot be computed now. */
    private record Prepared(Optional<ResolvedFields> fields, Optional<BackendUnavailableException> problem) {

        ResolvedFields orThrow() {
            return fields.orElseThrow(problem::orElseThrow);
        }
    }

    private final MetricRules rules;
    private final SearchClient client;
    private final SearchRequestFactory requests;
    private final ElasticsearchConfig config;
    private final ElasticsearchMeters meters;
    private final IngestWatch ingest;
    private final FieldCapabilities mappings;
    private final Clock clock;

    ElasticsearchMetricsProvider(MetricRules rules, SearchClient client, ElasticsearchConfig config,
            ElasticsearchMeters meters, IngestWatch ingest, FieldCapabilities mappings, Clock clock) {
        this.rules = rules;
        this.client = client;
        this.config = config;
        this.meters = meters;
        this.ingest = ingest;
        this.mappings = mappings;
        this.clock = clock;
        this.requests = new SearchRequestFactory(config.searchTimeout(), config.seriesPageSize());
    }

    @Override
    public List<MetricValue> values(String namespace, String metricName, LabelSelector selector) {
        MetricRule rule = rule(namespace, metricName, selector);
        ResolvedFields fields = prepare(List.of(rule)).get(rule).orThrow();
        Instant now = clock.instant();
        try {
            JsonNode first = client.search(metricName, requests.create(rule, fields, namespace, selector, now, Optional.empty()));
            List<MetricValue> found = series(rule, fields, namespace, selector, now, first).orElseThrow(() -> tooManySeries(rule));
            return orZero(found, rule, selector, now);
        } catch (BackendUnavailableException e) {
            meters.failed(metricName);
            throw e;
        }
    }

    /**
     * The first page of every search in one {@code _msearch}, further pages of series, if any, one by one.
     * Queries for the same metric in the same namespace share one search where the metric allows it
     * ({@link BatchedSearch}): for such metrics the number of searches follows the metrics asked for in each
     * namespace, not the number of HPAs and selectors asking.
     */
    @Override
    public List<MetricAnswer> values(List<MetricQuery> queries) {
        MetricAnswer[] answers = new MetricAnswer[queries.size()];
        List<BatchedSearch.Resolved> resolved = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            MetricQuery query = queries.get(i);
            try {
                resolved.add(new BatchedSearch.Resolved(i, query, rule(query.namespace(), query.metricName(), query.selector())));
            } catch (RuntimeException e) {
                answers[i] = MetricAnswer.failed(e);
            }
        }
        Map<MetricRule, Prepared> prepared = prepare(resolved.stream().map(BatchedSearch.Resolved::rule).toList());
        Map<MetricRule, ResolvedFields> fields = new LinkedHashMap<>();
        List<BatchedSearch.Resolved> searchable = new ArrayList<>();
        for (BatchedSearch.Resolved query : resolved) {
            Prepared ready = prepared.get(query.rule());
            if (ready.problem().isPresent()) {
                answers[query.position()] = MetricAnswer.failed(ready.problem().get());
            } else {
                fields.put(query.rule(), ready.fields().orElseThrow());
                searchable.add(query);
            }
        }
        Instant now = clock.instant();
        List<BatchedSearch> tooMany = search(BatchedSearch.plan(searchable), fields, answers, now);
        // A shared search can only learn that the namespace has too many series by running: its queries are then
        // asked again, each with its own selector, in a second round, since each may select few enough series.
        // Failing them instead would turn a metric that works query by query into one that never refreshes.
        search(tooMany.stream().flatMap(search -> search.separately().stream()).toList(), fields, answers, now);
        return List.of(answers);
    }

    /**
     * For each rule, the fields to search with, or why it cannot be computed now: its data is not current, one of
     * its fields cannot be used, or Elasticsearch did not answer. Neither of the first two is a failed search.
     */
    private Map<MetricRule, Prepared> prepare(Collection<MetricRule> wanted) {
        Map<MetricRule, Prepared> prepared = new LinkedHashMap<>();
        ingest.problems(new LinkedHashSet<>(wanted)).forEach((rule, problem) -> {
            if (problem.isPresent()) {
                prepared.put(rule, new Prepared(Optional.empty(), problem));
                return;
            }
            try {
                prepared.put(rule, new Prepared(Optional.of(mappings.resolve(rule)), Optional.empty()));
            } catch (BackendUnavailableException e) {
                prepared.put(rule, new Prepared(Optional.empty(), Optional.of(e)));
            }
        });
        return prepared;
    }

    /**
     * Runs one round of searches as one {@code _msearch} and fills in the answers of their members, except for
     * the shared searches that found too many series to answer from: those are returned.
     */
    private List<BatchedSearch> search(List<BatchedSearch> searches, Map<MetricRule, ResolvedFields> fields,
            MetricAnswer[] answers, Instant now) {
        List<BatchedSearch> sent = new ArrayList<>();
        List<SearchRequest> requestsSent = new ArrayList<>();
        for (BatchedSearch search : searches) {
            try {
                requestsSent.add(requests.create(search.rule(), fields.get(search.rule()), search.namespace(),
                        search.selector(), now, Optional.empty()));
                sent.add(search);
            } catch (RuntimeException e) {
                fail(search, e, answers);
            }
        }
        if (sent.isEmpty()) {
            return List.of();
        }
        List<JsonNode> responses;
        try {
            responses = client.msearch(requestsSent);
        } catch (BackendUnavailableException e) {
            sent.forEach(search -> fail(search, e, answers));
            return List.of();
        }
        List<BatchedSearch> tooMany = new ArrayList<>();
        for (int j = 0; j < sent.size(); j++) {
            BatchedSearch search = sent.get(j);
            MetricRule rule = search.rule();
            try {
                Optional<List<MetricValue>> series = series(rule, fields.get(rule), search.namespace(), search.selector(),
                        now, successful(rule, responses.get(j)));
                if (series.isEmpty() && search.shared()) {
                    tooMany.add(search);
                    continue;
                }
                List<MetricValue> found = series.orElseThrow(() -> tooManySeries(rule));
                for (BatchedSearch.Member member : search.members()) {
                    List<MetricValue> selected = search.shared()
                            ? found.stream().filter(value -> member.selector().matches(value.labels())).toList()
                            : found;
                    answers[member.position()] = MetricAnswer.of(orZero(selected, rule, member.selector(), now));
                }
            } catch (BackendUnavailableException e) {
                fail(search, e, answers);
            }
        }
        return tooMany;
    }

    /** Each query the search answers fails with it, and counts as one failure of its metric. */
    private void fail(BatchedSearch search, RuntimeException failure, MetricAnswer[] answers) {
        for (BatchedSearch.Member member : search.members()) {
            meters.failed(search.rule().name());
            answers[member.position()] = MetricAnswer.failed(failure);
        }
    }

    /** One answer of an {@code _msearch}, or the reason Elasticsearch gave for failing that search alone. */
    private static JsonNode successful(MetricRule rule, JsonNode response) {
        if (response.has("error")) {
            int status = response.path("status").asInt();
            throw new BackendUnavailableException(status == 429
                    ? "Elasticsearch is overloaded (429 Too Many Requests) and refused the search for metric " + rule.name()
                    : "Elasticsearch answered " + status + " to the search for metric " + rule.name() + ": "
                            + SearchClient.reason(response.path("error")));
        }
        return response;
    }

    private MetricRule rule(String namespace, String metricName, LabelSelector selector) {
        MetricRule rule = rules.find(namespace, metricName)
                .orElseThrow(() -> new MetricNotFoundException(namespace, metricName));
        for (Requirement requirement : selector.requirements()) {
            if (!rule.labels().containsKey(requirement.key())) {
                throw new LabelNotAllowedException(metricName, requirement.key(), rule.labels().keySet());
            }
        }
        return rule;
    }

    /**
     * Every series of the search, paging through the composite aggregation; empty when there are more than
     * {@code maxSeries}, without fetching the rest.
     */
    private Optional<List<MetricValue>> series(MetricRule rule, ResolvedFields fields, String namespace,
            LabelSelector selector, Instant now, JsonNode firstPage) {
        List<MetricValue> values = new ArrayList<>();
        JsonNode response = firstPage;
        while (true) {
            meters.took(rule.name(), response);
            SearchResponseConverter.Page page = SearchResponseConverter.convert(rule, response, now, config.seriesPageSize());
            values.addAll(page.values());
            if (values.size() > config.maxSeries()) {
                return Optional.empty();
            }
            if (page.afterKey().isEmpty()) {
                return Optional.of(values);
            }
            response = client.search(rule.name(), requests.create(rule, fields, namespace, selector, now, page.afterKey()));
        }
    }

    private BackendUnavailableException tooManySeries(MetricRule rule) {
        return new BackendUnavailableException("metric " + rule.name() + " has more than " + config.maxSeries()
                + " series for this selector; narrow the selector or declare fewer labels");
    }

    private static List<MetricValue> orZero(List<MetricValue> values, MetricRule rule, LabelSelector selector, Instant now) {
        return values.isEmpty() ? List.of(zero(rule, selector, now)) : values;
    }

    /**
     * No series matched while events arrive: a real zero, labelled with what the selector pinned, because an empty
     * list is an error to the HPA ("no metrics returned") while zero requests really means zero.
     */
    private static MetricValue zero(MetricRule rule, LabelSelector selector, Instant now) {
        Map<String, String> pinned = selector.pinnedLabels().entrySet().stream()
                .filter(entry -> !entry.getValue().isEmpty())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Instant timestamp = rule.aggregation().usesWindow() ? SearchRequestFactory.windowEnd(rule, now) : now;
        return new MetricValue(rule.name(), pinned, BigDecimal.ZERO, timestamp, rule.reportedWindow());
    }

    @Override
    public Collection<String> metricNames() {
        return rules.names();
    }
}

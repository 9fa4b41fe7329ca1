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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Answers metric requests with one search (or a few pages of series) against Elasticsearch, and batches of
 * them with one {@code _msearch}.
 */
@Backend
@ApplicationScoped
class ElasticsearchMetricsProvider implements ExternalMetricsProvider {

    private final MetricRules rules;
    private final SearchClient client;
    private final SearchRequestFactory requests;
    private final ElasticsearchConfig config;
    private final ElasticsearchMeters meters;
    private final Clock clock = Clock.systemUTC();

    ElasticsearchMetricsProvider(MetricRules rules, SearchClient client, ElasticsearchConfig config,
            ElasticsearchMeters meters) {
        this.rules = rules;
        this.client = client;
        this.config = config;
        this.meters = meters;
        this.requests = new SearchRequestFactory(config.searchTimeout(), config.seriesPageSize());
    }

    @Override
    public List<MetricValue> values(String namespace, String metricName, LabelSelector selector) {
        MetricRule rule = rule(namespace, metricName, selector);
        Instant now = clock.instant();
        try {
            JsonNode first = client.search(metricName, requests.create(rule, namespace, selector, now, Optional.empty()));
            return collect(rule, namespace, selector, now, first);
        } catch (BackendUnavailableException e) {
            meters.failed(metricName);
            throw e;
        }
    }

    /** The first page of every query in one {@code _msearch}; further pages of series, if any, one by one. */
    @Override
    public List<MetricAnswer> values(List<MetricQuery> queries) {
        Instant now = clock.instant();
        MetricAnswer[] answers = new MetricAnswer[queries.size()];
        List<Integer> searched = new ArrayList<>();
        List<MetricRule> searchedRules = new ArrayList<>();
        List<SearchRequest> searches = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            MetricQuery query = queries.get(i);
            try {
                MetricRule rule = rule(query.namespace(), query.metricName(), query.selector());
                searches.add(requests.create(rule, query.namespace(), query.selector(), now, Optional.empty()));
                searchedRules.add(rule);
                searched.add(i);
            } catch (RuntimeException e) {
                answers[i] = MetricAnswer.failed(e);
            }
        }
        if (!searches.isEmpty()) {
            List<JsonNode> responses;
            try {
                responses = client.msearch(searches);
            } catch (BackendUnavailableException e) {
                searchedRules.forEach(rule -> meters.failed(rule.name()));
                searched.forEach(i -> answers[i] = MetricAnswer.failed(e));
                return List.of(answers);
            }
            for (int j = 0; j < searched.size(); j++) {
                answers[searched.get(j)] = answer(searchedRules.get(j), queries.get(searched.get(j)), responses.get(j), now);
            }
        }
        return List.of(answers);
    }

    private MetricAnswer answer(MetricRule rule, MetricQuery query, JsonNode response, Instant now) {
        try {
            if (response.has("error")) {
                int status = response.path("status").asInt();
                throw new BackendUnavailableException(status == 429
                        ? "Elasticsearch is overloaded (429 Too Many Requests) and refused the search for metric " + rule.name()
                        : "Elasticsearch answered " + status + " to the search for metric " + rule.name() + ": "
                                + SearchClient.reason(response.path("error")));
            }
            return MetricAnswer.of(collect(rule, query.namespace(), query.selector(), now, response));
        } catch (BackendUnavailableException e) {
            meters.failed(rule.name());
            return MetricAnswer.failed(e);
        }
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

    private List<MetricValue> collect(MetricRule rule, String namespace, LabelSelector selector, Instant now,
            JsonNode firstPage) {
        List<MetricValue> values = new ArrayList<>();
        JsonNode response = firstPage;
        while (true) {
            meters.took(rule.name(), response);
            SearchResponseConverter.Page page = SearchResponseConverter.convert(rule, response, now, config.seriesPageSize());
            values.addAll(page.values());
            if (values.size() > config.maxSeries()) {
                throw new BackendUnavailableException("metric " + rule.name() + " has more than " + config.maxSeries()
                        + " series for this selector; narrow the selector or declare fewer labels");
            }
            if (page.afterKey().isEmpty()) {
                return values.isEmpty() ? List.of(zero(rule, selector, now)) : values;
            }
            response = client.search(rule.name(), requests.create(rule, namespace, selector, now, page.afterKey()));
        }
    }

    /**
     * No series matched: a real zero, labelled with what the selector pinned, because an empty list is an
     * error to the HPA ("no metrics returned") while zero requests really means zero.
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

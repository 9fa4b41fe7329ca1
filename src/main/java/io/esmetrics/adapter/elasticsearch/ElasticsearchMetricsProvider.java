package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.provider.MetricAnswer;
import io.esmetrics.adapter.provider.MetricComputation;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.provider.MetricsBackend;
import io.esmetrics.adapter.provider.SeriesQuery;
import io.esmetrics.adapter.provider.SeriesSelection;
import io.esmetrics.adapter.provider.TooManySeriesException;
import io.esmetrics.adapter.resilience.CircuitBreaker;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers metric requests with one search (or a few pages of series) against Elasticsearch, and batches of
 * them with one {@code _msearch}. A metric is computed only from current data (events still arrive in its
 * indices, {@link IngestWatch}) and with the fields its indices really have ({@link FieldCapabilities}).
 */
@ApplicationScoped
@Typed(ElasticsearchMetricsProvider.class) // Injected as itself by ElasticsearchBackend, the MetricsBackend everyone else gets.
class ElasticsearchMetricsProvider implements MetricsBackend {

    /**
     * What a rule is searched with (its fields, and the pipeline's watermark where its window ends), or why it cannot
     * be computed now.
     */
    private record Prepared(Optional<ResolvedFields> fields, Optional<Instant> watermark,
            Optional<BackendUnavailableException> problem) {

        ResolvedFields orThrow() {
            return fields.orElseThrow(problem::orElseThrow);
        }

        Ready at(MetricRule rule, Instant now) {
            return new Ready(orThrow(), ValueTime.of(rule, now, watermark));
        }
    }

    /** A rule ready to be searched: its fields, and the moment and window its values are computed for. */
    private record Ready(ResolvedFields fields, ValueTime at) {
    }

    private final SearchClient client;
    private final SearchRequestFactory requests;
    private final ElasticsearchConfig config;
    private final ElasticsearchMeters meters;
    private final IngestWatch ingest;
    private final FieldCapabilities mappings;
    private final CircuitBreaker breaker;
    private final Clock clock;

    ElasticsearchMetricsProvider(SearchClient client, ElasticsearchConfig config, ElasticsearchMeters meters,
            IngestWatch ingest, FieldCapabilities mappings, CircuitBreaker breaker, Clock clock) {
        this.client = client;
        this.config = config;
        this.meters = meters;
        this.ingest = ingest;
        this.mappings = mappings;
        this.breaker = breaker;
        this.clock = clock;
        this.requests = new SearchRequestFactory(config.searchTimeout(), config.seriesPageSize());
    }

    @Override
    public List<MetricValue> answer(SeriesQuery query) {
        MetricRule rule = query.rule();
        String namespace = query.namespace();
        String metricName = rule.name();
        LabelSelector selector = query.selector();
        Ready ready = prepare(List.of(rule)).get(rule).at(rule, clock.instant());
        try {
            BatchedSearch search = new BatchedSearch(rule, List.of(namespace), selector, false, List.of());
            JsonNode first = client.search(metricName, request(search, ready, Optional.empty()));
            List<MetricValue> found = series(search, ready, first).orElseThrow(() -> tooManySeries(rule)).values();
            return orZero(found, rule, selector, ready.at());
        } catch (BackendUnavailableException e) {
            meters.failed(metricName);
            throw e;
        }
    }

    /**
     * The search that computes exactly this answer, for this namespace and selector alone (what a shared search finds
     * for them, picked in memory, equals it), and the state of the metric's data. Looks up the fields and the newest
     * event as a search would, never searches the metric itself.
     */
    @Override
    public MetricComputation describe(SeriesQuery query) {
        MetricRule rule = query.rule();
        Instant now = clock.instant();
        ResolvedFields fields = ResolvedFields.AS_DECLARED;
        Optional<String> problem = Optional.empty();
        try {
            fields = mappings.resolve(rule);
        } catch (BackendUnavailableException e) {
            problem = Optional.of(e.getMessage() + " (the request below uses the fields as declared)");
        }
        IngestObservation observed = ingest.observations(List.of(rule)).get(rule);
        ValueTime at = ValueTime.of(rule, now, observed.watermark());
        SearchRequest search = requests.create(rule, fields, query.namespace(), query.selector(), at, Optional.empty());
        MetricComputation.DataFreshness freshness = new MetricComputation.DataFreshness(observed.checkedAt(),
                observed.newestEvent(), observed.newestArrival(), observed.watermark(), observed.lag(), observed.watermarkLag(),
                rule.aggregation().usesWindow() ? Optional.of(at.windowEnd()) : Optional.empty(), rule.stalledAfter(),
                observed.problemFor(rule).map(RuntimeException::getMessage));
        return new MetricComputation("Elasticsearch", false, Optional.of(SearchClient.byHand(search)), problem,
                Optional.of(freshness), breaker.state().wireName());
    }

    /**
     * The first page of every search in one {@code _msearch}, further pages of series, if any, one by one.
     * Queries for the same metric in the same namespace share one search where the metric allows it
     * ({@link BatchedSearch}): for such metrics the number of searches follows the metrics asked for in each
     * namespace, not the number of HPAs and selectors asking.
     */
    @Override
    public List<MetricAnswer> answer(List<SeriesQuery> queries) {
        MetricAnswer[] answers = new MetricAnswer[queries.size()];
        List<BatchedSearch.Resolved> resolved = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            resolved.add(new BatchedSearch.Resolved(i, queries.get(i).byName(), queries.get(i).rule()));
        }
        Map<MetricRule, Prepared> prepared = prepare(resolved.stream().map(BatchedSearch.Resolved::rule).toList());
        Instant now = clock.instant();
        Map<MetricRule, Ready> ready = new LinkedHashMap<>();
        List<BatchedSearch.Resolved> searchable = new ArrayList<>();
        for (BatchedSearch.Resolved query : resolved) {
            Prepared rule = prepared.get(query.rule());
            if (rule.problem().isPresent()) {
                answers[query.position()] = MetricAnswer.failed(rule.problem().get());
            } else {
                ready.computeIfAbsent(query.rule(), r -> rule.at(r, now));
                searchable.add(query);
            }
        }
        // A shared search can only learn that it has too many series by running: its queries are then asked again in
        // smaller pieces, in another round (across namespaces: per namespace; in a namespace: per selector, since each
        // may select few enough). Failing them instead would turn a metric that works query by query into one that
        // never refreshes. At most three rounds: a search of a single query is never split.
        List<BatchedSearch> round = BatchedSearch.plan(searchable, this::answersAcrossNamespaces);
        while (!round.isEmpty()) {
            round = search(round, ready, answers);
        }
        return List.of(answers);
    }

    /**
     * For each rule, the fields to search with and the pipeline's watermark, or why it cannot be computed now: its
     * data is not current, one of its fields cannot be used, or Elasticsearch did not answer. Neither of the first two
     * is a failed search.
     */
    private Map<MetricRule, Prepared> prepare(Collection<MetricRule> wanted) {
        Map<MetricRule, Prepared> prepared = new LinkedHashMap<>();
        ingest.observations(new LinkedHashSet<>(wanted)).forEach((rule, observation) -> {
            Optional<BackendUnavailableException> problem = observation.problemFor(rule);
            if (problem.isPresent()) {
                prepared.put(rule, new Prepared(Optional.empty(), Optional.empty(), problem));
                return;
            }
            try {
                prepared.put(rule, new Prepared(Optional.of(mappings.resolve(rule)), observation.watermark(), Optional.empty()));
            } catch (BackendUnavailableException e) {
                prepared.put(rule, new Prepared(Optional.empty(), Optional.empty(), Optional.of(e)));
            }
        });
        return prepared;
    }

    /**
     * Runs one round of searches as one {@code _msearch} and fills in the answers of their members, except where a
     * shared search found too many series to answer from: those queries come back as the searches of the next round.
     */
    private List<BatchedSearch> search(List<BatchedSearch> searches, Map<MetricRule, Ready> ready, MetricAnswer[] answers) {
        List<BatchedSearch> sent = new ArrayList<>();
        List<SearchRequest> requestsSent = new ArrayList<>();
        for (BatchedSearch search : searches) {
            try {
                requestsSent.add(request(search, ready.get(search.rule()), Optional.empty()));
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
        List<BatchedSearch> nextRound = new ArrayList<>();
        for (int j = 0; j < sent.size(); j++) {
            BatchedSearch search = sent.get(j);
            MetricRule rule = search.rule();
            try {
                ValueTime at = ready.get(rule).at();
                Optional<Found> series = series(search, ready.get(rule), successful(rule, responses.get(j)));
                if (series.isEmpty() && search.shared()) {
                    nextRound.addAll(search.separately());
                    continue;
                }
                Found found = series.orElseThrow(() -> tooManySeries(rule));
                Map<String, List<MetricValue>> byNamespace = found.byNamespace(search);
                byNamespace.forEach((namespace, own) -> {
                    if (own.size() > config.maxSeries()) {
                        nextRound.addAll(search.separately(namespace));
                    }
                });
                for (BatchedSearch.Member member : search.members()) {
                    List<MetricValue> own = byNamespace.getOrDefault(member.namespace(), List.of());
                    if (own.size() > config.maxSeries()) {
                        // The namespace has too many series: known now for the empty selector, asked again for others.
                        if (member.selector().isEmpty()) {
                            answers[member.position()] = MetricAnswer.failed(tooManySeries(rule));
                        }
                        continue;
                    }
                    answers[member.position()] = MetricAnswer.of(search.shared()
                            ? SeriesSelection.select(orZero(own, rule, LabelSelector.everything(), at), member.selector())
                            : orZero(own, rule, member.selector(), at));
                }
            } catch (BackendUnavailableException e) {
                fail(search, e, answers);
            }
        }
        return nextRound;
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

    /** The series a search found, and for a search across namespaces the namespace of each (same order). */
    private record Found(List<MetricValue> values, List<String> namespaces) {

        Map<String, List<MetricValue>> byNamespace(BatchedSearch search) {
            if (!search.acrossNamespaces()) {
                return Map.of(search.namespace(), values);
            }
            Map<String, List<MetricValue>> split = new HashMap<>();
            for (int i = 0; i < values.size(); i++) {
                split.computeIfAbsent(namespaces.get(i), namespace -> new ArrayList<>()).add(values.get(i));
            }
            return split;
        }
    }

    /**
     * Every series of the search, paging through the composite aggregation; empty when there are more than
     * {@code max-series} (across namespaces: {@code max-series-per-search}), without fetching the rest.
     */
    private Optional<Found> series(BatchedSearch search, Ready ready, JsonNode firstPage) {
        MetricRule rule = search.rule();
        int most = search.acrossNamespaces() ? config.maxSeriesPerSearch() : config.maxSeries();
        List<MetricValue> values = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        JsonNode response = firstPage;
        while (true) {
            meters.took(rule.name(), response);
            SearchResponseConverter.Page page = SearchResponseConverter.convert(rule, response, ready.at(), config.seriesPageSize());
            values.addAll(page.values());
            namespaces.addAll(page.namespaces());
            if (values.size() > most) {
                return Optional.empty();
            }
            if (page.afterKey().isEmpty()) {
                return Optional.of(new Found(values, namespaces));
            }
            response = client.search(rule.name(), request(search, ready, page.afterKey()));
        }
    }

    private SearchRequest request(BatchedSearch search, Ready ready, Optional<JsonNode> after) {
        return search.acrossNamespaces()
                ? requests.createAcrossNamespaces(search.rule(), ready.fields(), search.namespaces(), ready.at(), after)
                : requests.create(search.rule(), ready.fields(), search.namespace(), search.selector(), ready.at(), after);
    }

    /**
     * A metric that splits into series and is kept per namespace: one search for every namespace of a batch. Only the
     * queries of one rule are searched together, so a namespace's own ElasticsearchMetric is searched alone.
     */
    @Override
    public boolean answersAcrossNamespaces(MetricRule rule) {
        return config.searchAcrossNamespaces() && rule.splitsIntoSeries() && rule.namespaceField().isPresent();
    }

    private TooManySeriesException tooManySeries(MetricRule rule) {
        return new TooManySeriesException("metric " + rule.name() + " has more than " + config.maxSeries()
                + " series for this selector; narrow the selector or declare fewer labels");
    }

    private static List<MetricValue> orZero(List<MetricValue> values, MetricRule rule, LabelSelector selector, ValueTime at) {
        return values.isEmpty() ? List.of(SeriesSelection.zero(rule.name(), selector, at.timestamp(), rule.reportedWindow()))
                : values;
    }
}

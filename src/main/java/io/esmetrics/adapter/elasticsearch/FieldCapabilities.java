package io.esmetrics.adapter.elasticsearch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.esmetrics.adapter.observability.RepeatedWarnings;
import io.esmetrics.adapter.provider.BackendUnavailableException;
import io.esmetrics.adapter.rules.MetricRule;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Resolves the fields of each metric against the mappings of the indices it reads ({@link ResolvedFields}), with
 * one {@code _field_caps} request per distinct (indices, time span, fields), kept for
 * {@code adapter.elasticsearch.mapping-refresh-interval}: a new daily index with another mapping is followed
 * within that time. Concurrent askers share one request. A field that cannot work is reported in the log once
 * per period, with the indices concerned, and fails the metric's requests with the same words but the indices.
 * A request that failed is not asked again for {@link #FAILURE_KEPT}: a failing Elasticsearch (or an index pattern
 * it refuses) costs one {@code _field_caps} per metric every few seconds, not one per search or explanation.
 */
@ApplicationScoped
class FieldCapabilities {

    private record Key(String indexPattern, String timeField, Duration span, SortedSet<String> fields) {
    }

    private final SearchClient client;
    private final Clock clock;
    /** Short: the time Elasticsearch takes to come back is about this, and nothing is answered from it but a 503. */
    static final Duration FAILURE_KEPT = Duration.ofSeconds(2);

    private final Cache<Key, ResolvedFields> resolved;
    // Wall time, not the injected clock: tests that stop the clock must not keep a failure for good.
    private final Cache<Key, BackendUnavailableException> failed = Caffeine.newBuilder()
            .expireAfterWrite(FAILURE_KEPT).maximumSize(10_000).build();
    private final RepeatedWarnings warnings = new RepeatedWarnings(FieldCapabilities.class);

    FieldCapabilities(SearchClient client, ElasticsearchConfig config, Clock clock) {
        this.client = client;
        this.clock = clock;
        // The injected clock decides expiry, so that tests move time instead of waiting for it.
        this.resolved = Caffeine.newBuilder()
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfterWrite(config.mappingRefreshInterval())
                .maximumSize(10_000)
                .build();
    }

    /** @throws BackendUnavailableException when a field cannot be used, or Elasticsearch did not answer */
    ResolvedFields resolve(MetricRule rule) {
        SortedSet<String> fields = new TreeSet<>(rule.labels().values());
        fields.addAll(rule.filter().keySet());
        fields.addAll(rule.numerator().keySet());
        rule.namespaceField().ifPresent(fields::add);
        if (fields.isEmpty()) {
            return ResolvedFields.AS_DECLARED;
        }
        Key key = new Key(rule.indexPattern(), rule.timeField(), rule.span(), fields);
        BackendUnavailableException failure = failed.getIfPresent(key);
        if (failure != null) {
            throw new BackendUnavailableException(failure.getMessage(), failure);
        }
        ResolvedFields found;
        try {
            found = resolved.get(key, this::lookUp);
        } catch (BackendUnavailableException e) {
            failed.put(key, e);
            throw e;
        }
        if (found.problem().isPresent()) {
            String message = "metric " + rule.name() + " cannot be computed: " + found.problem().get();
            warnings.warn(message + " (for example in index " + String.join(", ", found.problemIndices()) + ")");
            throw new BackendUnavailableException(message);
        }
        return found;
    }

    private ResolvedFields lookUp(Key key) {
        List<String> candidates = ResolvedFields.candidates(key.fields());
        return ResolvedFields.from(client.fieldCaps(key.indexPattern(), candidates,
                SearchRequestFactory.fieldCapsFilter(key.timeField(), key.span(), clock.instant())), key.fields(), key.indexPattern());
    }
}

package io.esmetrics.adapter.provider;

import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.rules.MetricRules;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.selector.Requirement;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The metrics this adapter serves, as a request names them: the rule a name means in a namespace, and the check that
 * a selector uses only labels the metric declares. In front of the backend, which is only ever asked valid questions.
 */
@ApplicationScoped
public class DeclaredMetrics {

    private final MetricRules rules;

    public DeclaredMetrics(MetricRules rules) {
        this.rules = rules;
    }

    /**
     * @throws MetricNotFoundException  no such metric is visible from {@code namespace}
     * @throws LabelNotAllowedException the selector uses a label the metric does not declare
     */
    public SeriesQuery resolve(String namespace, String metricName, LabelSelector selector) {
        MetricRule rule = rules.find(namespace, metricName).orElseThrow(() -> new MetricNotFoundException(namespace, metricName));
        for (Requirement requirement : selector.requirements()) {
            if (!rule.labels().containsKey(requirement.key())) {
                throw new LabelNotAllowedException(metricName, requirement.key(), rule.labels().keySet());
            }
        }
        return new SeriesQuery(rule, namespace, selector);
    }

    /** @see #resolve(String, String, LabelSelector) */
    public SeriesQuery resolve(MetricQuery query) {
        return resolve(query.namespace(), query.metricName(), query.selector());
    }

    /**
     * Answers queries by name, in order: one naming an unknown metric or an undeclared label fails alone, with the
     * exception a single request would get; the others go to the backend in one batch.
     */
    public List<MetricAnswer> answer(List<MetricQuery> queries, MetricsBackend backend) {
        MetricAnswer[] answers = new MetricAnswer[queries.size()];
        List<SeriesQuery> valid = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            try {
                valid.add(resolve(queries.get(i)));
                positions.add(i);
            } catch (MetricNotFoundException | LabelNotAllowedException e) {
                answers[i] = MetricAnswer.failed(e);
            }
        }
        if (!valid.isEmpty()) {
            List<MetricAnswer> answered = backend.answer(valid);
            for (int j = 0; j < positions.size(); j++) {
                answers[positions.get(j)] = answered.get(j);
            }
        }
        return List.of(answers);
    }

    /**
     * Whether the rule is the same in every namespace (a built-in or a definitions file's), so that its answers for
     * many namespaces may be computed together; a namespace's own ElasticsearchMetric is not.
     */
    public boolean servesEveryNamespace(MetricRule rule) {
        return rules.configuredRule(rule.name()).filter(rule::equals).isPresent();
    }

    /** Every metric name, for discovery. */
    public Collection<String> names() {
        return rules.names();
    }
}

package io.esmetrics.adapter.explain;

import io.esmetrics.adapter.activation.ActivationState;
import io.esmetrics.adapter.activation.Activations;
import io.esmetrics.adapter.cache.CacheConfig;
import io.esmetrics.adapter.cache.SeriesKey;
import io.esmetrics.adapter.externalmetrics.CanonicalQuantity;
import io.esmetrics.adapter.externalmetrics.ExternalMetricValue;
import io.esmetrics.adapter.externalmetrics.ExternalMetricValueList;
import io.esmetrics.adapter.externalmetrics.StatusExceptionMappers;
import io.esmetrics.adapter.provider.DeclaredMetrics;
import io.esmetrics.adapter.provider.ExternalMetricsProvider;
import io.esmetrics.adapter.provider.HeldAnswer;
import io.esmetrics.adapter.provider.LabelNotAllowedException;
import io.esmetrics.adapter.provider.MetricComputation;
import io.esmetrics.adapter.provider.MetricNotFoundException;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.Activation;
import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.rules.MetricRule;
import io.esmetrics.adapter.selector.LabelSelector;
import io.fabric8.kubernetes.api.model.Status;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Answers {@code explain=true}: which rule serves a metric, the request that computes it, the answer a metric request
 * gets now and where it comes from, and what the HPA controller makes of it. Reads what the cache holds without
 * counting as asking and computes a missing answer without keeping it: explaining never changes what HPAs are served.
 */
@ApplicationScoped
class MetricExplainer {

    /**
     * What the metric request answers now: values (from memory or a search, after the metric's activation), or the
     * Status of its failure.
     */
    private record Outcome(String from, List<MetricValue> values, List<ExternalMetricValue> items,
            Optional<Instant> computedAt, Optional<Status> status, Optional<MetricExplanation.ActivationAnswer> activation) {

        static Outcome failed(RuntimeException failure) {
            Status status = StatusExceptionMappers.statusOf(failure);
            return new Outcome("none", List.of(), null, Optional.empty(), Optional.of(status), Optional.empty());
        }

        int code() {
            return status.map(Status::getCode).orElse(200);
        }
    }

    private final ExternalMetricsProvider provider;
    private final DeclaredMetrics declared;
    private final Activations activations;
    private final CacheConfig cache;
    private final Clock clock;

    MetricExplainer(ExternalMetricsProvider provider, DeclaredMetrics declared, Activations activations, CacheConfig cache,
            Clock clock) {
        this.provider = provider;
        this.declared = declared;
        this.activations = activations;
        this.cache = cache;
        this.clock = clock;
    }

    /**
     * @throws MetricNotFoundException  as the metric request would: no such metric is visible from {@code namespace}
     * @throws LabelNotAllowedException as the metric request would: the selector uses an undeclared label
     */
    MetricExplanation explain(String namespace, String metricName, LabelSelector selector, Optional<HpaTarget> target) {
        MetricComputation computation = provider.describe(namespace, metricName, selector);
        MetricRule rule = declared.resolve(namespace, metricName, selector).rule();
        Optional<HeldAnswer> held = provider.held(namespace, metricName, selector);
        Instant now = clock.instant();
        Outcome outcome = outcome(namespace, metricName, selector, rule, held, now);
        return new MetricExplanation(MetricExplanation.KIND, namespace, metricName, selector.toString(),
                answer(metricName, outcome, held, now), target.map(wanted -> hpa(wanted, outcome, held, now)).orElse(null),
                rule(rule), backend(rule, computation));
    }

    private Outcome outcome(String namespace, String metricName, LabelSelector selector, MetricRule rule,
            Optional<HeldAnswer> held, Instant now) {
        String from;
        List<MetricValue> values;
        Instant computedAt;
        if (held.isPresent() && held.get().served()) {
            from = "memory";
            values = held.get().values().orElseThrow();
            computedAt = held.get().computedAt().orElseThrow();
        } else {
            try {
                values = provider.computeWithoutKeeping(namespace, metricName, selector);
            } catch (MetricNotFoundException | LabelNotAllowedException e) {
                throw e;
            } catch (RuntimeException e) {
                return Outcome.failed(e);
            }
            from = "search";
            computedAt = now;
        }
        Optional<MetricExplanation.ActivationAnswer> activation = Optional.empty();
        if (rule.activation().isPresent()) {
            Activation bounds = rule.activation().get();
            Activations.Explained explained = activations.explain(SeriesKey.of(namespace, metricName, selector), bounds,
                    values);
            activation = Optional.of(activation(bounds, explained));
            values = explained.served();
        }
        try {
            return new Outcome(from, values, ExternalMetricValueList.from(values).items(), Optional.of(computedAt),
                    Optional.empty(), activation);
        } catch (RuntimeException unrepresentable) {
            return Outcome.failed(unrepresentable);
        }
    }

    /** The decision {@link Activations} would make on a read now, in the words of docs/metrics.md. */
    private static MetricExplanation.ActivationAnswer activation(Activation bounds, Activations.Explained explained) {
        String value = quantity(explained.millis());
        String threshold = "the threshold (" + number(bounds.threshold()) + ")";
        String deactivateBelow = "deactivateBelow (" + number(bounds.deactivateBelow()) + ")";
        String why;
        if (bounds.reachedBy(explained.millis())) {
            why = value + " is at or above " + threshold + ": active, served as it is";
        } else if (bounds.fallenBelowBy(explained.millis())) {
            why = value + " is below " + deactivateBelow + ": inactive, served as 0 until it reaches " + threshold;
        } else if (explained.state() == ActivationState.INACTIVE) {
            why = value + " is between " + deactivateBelow + " and " + threshold + ", and this replica holds the answer"
                    + " inactive: served as 0 until it reaches " + threshold;
        } else {
            why = value + " is between " + deactivateBelow + " and " + threshold + ", and this replica does not hold the"
                    + " answer inactive (it was active, or this replica has not served it yet, or forgot it): an answer"
                    + " without state is active, served as it is until it falls below " + deactivateBelow;
        }
        return new MetricExplanation.ActivationAnswer(bounds.threshold(), bounds.deactivateBelow(), value,
                explained.remembered().wireName(), explained.state().wireName(),
                explained.inactiveSince().map(MetricExplainer::time).orElse(null),
                quantity(explained.state() == ActivationState.ACTIVE ? explained.millis() : 0), why);
    }

    private static String quantity(long millis) {
        return CanonicalQuantity.format(BigDecimal.valueOf(millis, 3));
    }

    private static String number(double bound) {
        return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    private MetricExplanation.Answer answer(String metricName, Outcome outcome, Optional<HeldAnswer> held, Instant now) {
        boolean fromMemory = "memory".equals(outcome.from());
        Duration budget = cache.maxValueAge(metricName);
        Optional<Duration> age = outcome.computedAt().filter(at -> fromMemory).map(at -> Duration.between(at, now));
        return new MetricExplanation.Answer(outcome.code(), outcome.from(), outcome.items(), outcome.status().orElse(null),
                outcome.computedAt().map(MetricExplainer::time).orElse(null),
                age.map(KubernetesDuration::format).orElse(null),
                cache.enabled() ? KubernetesDuration.format(budget) : null,
                age.map(budget::minus).map(KubernetesDuration::format).orElse(null),
                held.map(HeldAnswer::lastSearched).filter(at -> !Instant.EPOCH.equals(at)).map(MetricExplainer::time)
                        .orElse(null),
                held.flatMap(HeldAnswer::lastFailure).map(RuntimeException::getMessage).orElse(null),
                held.flatMap(HeldAnswer::failingSince).map(MetricExplainer::time).orElse(null),
                outcome.activation().orElse(null));
    }

    private static HpaProjection hpa(HpaTarget target, Outcome outcome, Optional<HeldAnswer> held, Instant now) {
        if (outcome.status().isPresent()) {
            Status status = outcome.status().get();
            return HpaProjection.failing(target, status.getCode(), status.getReason());
        }
        HpaProjection projection = HpaProjection.of(target, outcome.values().stream().map(MetricValue::value).toList());
        boolean stale = "memory".equals(outcome.from()) && held.flatMap(HeldAnswer::lastFailure).isPresent();
        return stale ? projection.servedStale(held.get().budget().minus(held.get().age(now).orElseThrow())) : projection;
    }

    private static MetricExplanation.Rule rule(MetricRule rule) {
        return new MetricExplanation.Rule(rule.source(), rule.indexPattern(), rule.timeField(),
                rule.namespaceField().orElse(null), rule.filter().isEmpty() ? null : rule.filter(),
                rule.numerator().isEmpty() ? null : rule.numerator(),
                rule.aggregation().name().toLowerCase(Locale.ROOT), rule.field().orElse(null), rule.percent().orElse(null),
                rule.activation().map(bounds -> new MetricExplanation.Activation(bounds.threshold(), bounds.deactivateBelow()))
                        .orElse(null),
                rule.aggregation().usesWindow() ? KubernetesDuration.format(rule.window()) : null,
                rule.aggregation().usesWindow() ? KubernetesDuration.format(rule.ingestLag()) : null,
                rule.aggregation().usesWindow() ? KubernetesDuration.format(rule.settle()) : null,
                rule.aggregation().usesWindow() ? null : KubernetesDuration.format(rule.staleness()),
                KubernetesDuration.format(rule.stalledAfter()), rule.labels());
    }

    /** Which searches compute the answer, in a sentence. */
    private static String computedBy(MetricRule rule, MetricComputation computation) {
        if (computation.acrossNamespaces()) {
            return "One search finds the series of metric " + rule.name() + " for every namespace that asks for it;"
                    + " every selector is picked in memory from this namespace's series. The request below finds the"
                    + " same series for this namespace and selector alone.";
        }
        if (rule.splitsIntoSeries()) {
            return "One search finds every series of metric " + rule.name() + " in this namespace; every selector is"
                    + " picked in memory from them. The request below finds the same series for this selector alone.";
        }
        if (rule.labels().isEmpty()) {
            return "One search for this namespace: metric " + rule.name() + " declares no labels and has one series.";
        }
        return "One search for this namespace and selector: the " + rule.aggregation().name().toLowerCase(Locale.ROOT)
                + " of metric " + rule.name() + " does not add up across series, so selectors share no search.";
    }

    private static MetricExplanation.Backend backend(MetricRule rule, MetricComputation computation) {
        return new MetricExplanation.Backend(computation.backend(),
                computation.computedBy().orElseGet(() -> computedBy(rule, computation)),
                computation.request().map(request -> new MetricExplanation.Request(request.method(), request.path(),
                        request.body(), request.console())).orElse(null),
                computation.requestProblem().orElse(null),
                computation.freshness().map(freshness -> new MetricExplanation.Ingest(time(freshness.checkedAt()),
                        freshness.newestEvent().map(MetricExplainer::time).orElse(null),
                        freshness.newestArrival().map(MetricExplainer::time).orElse(null),
                        freshness.watermark().map(MetricExplainer::time).orElse(null),
                        freshness.lag().map(KubernetesDuration::format).orElse(null),
                        freshness.watermarkLag().map(KubernetesDuration::format).orElse(null),
                        KubernetesDuration.format(freshness.stalledAfter()),
                        freshness.windowEnd().map(end -> window(rule, freshness, end)).orElse(null),
                        freshness.problem().orElse(null))).orElse(null),
                computation.circuit());
    }

    /** The window a windowed value reads now: before the watermark when the pipeline lags, else ingestLag before now. */
    private static MetricExplanation.Window window(MetricRule rule, MetricComputation.DataFreshness freshness, Instant end) {
        // The end MetricRule#windowEnd gives when the watermark decides it: just after the watermark, less settle.
        boolean byWatermark = rule.endsWindowsAtWatermark() && freshness.watermark()
                .map(watermark -> watermark.plusMillis(1).minus(rule.settle()).equals(end)).orElse(false);
        String endsAt = byWatermark
                ? "at the pipeline's watermark (less settle, " + KubernetesDuration.format(rule.settle()) + "), the newest"
                        + " event time that has arrived, which was " + freshness.watermarkLag().map(KubernetesDuration::format)
                                .orElse("0s") + " behind: events arrive late, so the window ends where they have arrived"
                        + " and the value is late but whole"
                : "ingestLag (" + KubernetesDuration.format(rule.ingestLag()) + ") before now"
                        + (rule.endsWindowsAtWatermark() ? ": the pipeline's watermark is not further behind"
                                : ": the metric does not detect stalls (stalledAfter 0s), so its window ignores the watermark");
        return new MetricExplanation.Window(time(end.minus(rule.window())), time(end), endsAt);
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}

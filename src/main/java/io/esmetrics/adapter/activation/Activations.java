package io.esmetrics.adapter.activation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.esmetrics.adapter.cache.CacheConfig;
import io.esmetrics.adapter.cache.SeriesKey;
import io.esmetrics.adapter.externalmetrics.MilliValue;
import io.esmetrics.adapter.provider.MetricValue;
import io.esmetrics.adapter.rules.Activation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * This replica's memory of which answers (metric, namespace, selector: {@link SeriesKey}, as the cache names them) are
 * inactive, and the transitions decided when an answer is served. Only inactive answers are remembered, since an answer
 * without state is active: forgetting one (nobody read it for {@code adapter.cache.idle-timeout}, or more inactive
 * answers than {@code adapter.cache.max-series}) can only let a value between the bounds through, never hold one at 0.
 * The bounds are the cache's: an answer nobody reads is forgotten after the same time, and an inactive one weighs less
 * than one series.
 */
@ApplicationScoped
public class Activations {

    /** What a read of an answer would serve now, for {@code explain=true}; computed without changing any state. */
    public record Explained(Optional<Instant> inactiveSince, ActivationState remembered, ActivationState state, long millis,
            List<MetricValue> served) {
    }

    /** An inactive answer, since when. */
    private final Cache<SeriesKey, Instant> inactive;
    private final Clock clock;
    private final MeterRegistry registry;

    @Inject
    Activations(CacheConfig config, Clock clock, MeterRegistry registry) {
        this(config.idleTimeout(), config.maxSeries(), clock, registry);
    }

    Activations(Duration forgetAfter, long most, Clock clock, MeterRegistry registry) {
        this.clock = clock;
        this.registry = registry;
        // The injected clock decides expiry, so tests move time instead of sleeping; evictions run on the caller's thread.
        this.inactive = Caffeine.newBuilder()
                .maximumSize(most)
                .expireAfterAccess(forgetAfter)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
        Gauge.builder("esmetrics.activation.inactive", this, Activations::inactiveAnswers)
                .description("Answers (metric, namespace, selector) of metrics with an activation that this replica holds "
                        + "inactive: they read 0")
                .register(registry);
    }

    /**
     * What a metric request for the answer of {@code key} is served: {@code values} as they are while the answer is
     * active, each item at 0 while it is inactive, after deciding the transition this read makes.
     */
    public List<MetricValue> served(SeriesKey key, Activation bounds, List<MetricValue> values) {
        long millis = millis(values);
        Instant now = clock.instant();
        Instant inactiveSince = inactive.asMap().compute(key, (answer, since) -> {
            ActivationState before = since == null ? ActivationState.ACTIVE : ActivationState.INACTIVE;
            ActivationState after = before.after(bounds, millis);
            if (after != before) {
                transitions(answer.metricName(), after).increment();
            }
            return after == ActivationState.INACTIVE ? (since != null ? since : now) : null;
        });
        return inactiveSince == null ? values : zeros(values);
    }

    /** What {@link #served} would serve now, without changing the state or counting as a read. */
    public Explained explain(SeriesKey key, Activation bounds, List<MetricValue> values) {
        long millis = millis(values);
        Optional<Instant> since = Optional.ofNullable(inactive.policy().getIfPresentQuietly(key));
        ActivationState remembered = since.isPresent() ? ActivationState.INACTIVE : ActivationState.ACTIVE;
        ActivationState state = remembered.after(bounds, millis);
        Optional<Instant> inactiveSince = state == ActivationState.ACTIVE ? Optional.empty()
                : Optional.of(since.orElse(clock.instant()));
        return new Explained(inactiveSince, remembered, state, millis,
                state == ActivationState.ACTIVE ? values : zeros(values));
    }

    /** Whether this replica holds the answer inactive; without changing anything. */
    public boolean holdsInactive(SeriesKey key) {
        return inactive.policy().getIfPresentQuietly(key) != null;
    }

    /**
     * The total the HPA reads: the sum of the items' milli-values. Beyond an int64 it stops at the end of the range
     * (the HPA would read such a value wrapped around; the metric request refuses an item beyond a Quantity).
     */
    static long millis(List<MetricValue> values) {
        long total = 0;
        for (MetricValue value : values) {
            long item;
            try {
                item = MilliValue.of(value.value());
            } catch (ArithmeticException beyond) {
                item = value.value().signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
            }
            try {
                total = Math.addExact(total, item);
            } catch (ArithmeticException beyond) {
                total = item > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
            }
        }
        return total;
    }

    /** The items with their labels and times, each at 0: an inactive answer still says which series it read. */
    private static List<MetricValue> zeros(List<MetricValue> values) {
        return values.stream()
                .map(value -> new MetricValue(value.metricName(), value.labels(), BigDecimal.ZERO, value.timestamp(),
                        value.window()))
                .toList();
    }

    private Counter transitions(String metricName, ActivationState to) {
        return Counter.builder("esmetrics.activation.transitions")
                .description("Answers of metrics with an activation that became active (at or above the threshold) or "
                        + "inactive (below deactivateBelow) when served")
                .tag("metric", metricName)
                .tag("to", to.wireName())
                .register(registry);
    }

    private double inactiveAnswers() {
        inactive.cleanUp();
        return inactive.estimatedSize();
    }
}

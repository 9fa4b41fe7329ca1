package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.provider.TooManySearchesException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A namespace's share of miss searches follows what they cost Elasticsearch: a search whose answer holds 9,900 series
 * (ten composite pages) takes ten of the 50 searches at once, so wide answers the bounds leave unkept cannot be asked
 * for at the rate of narrow ones. The defaults: 50 at once, then 5 per second, one search per 1,000 series.
 */
class MissSearchLimiterTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private MissSearchLimiter limiter;

    @BeforeEach
    void limiterWithTheDefaults() {
        CacheConfig config = new SmallRyeConfigBuilder().withMapping(CacheConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()).withDefaultValues(new HashMap<>(Map.of()))
                .build().getConfigMapping(CacheConfig.class);
        MeterRegistry registry = new SimpleMeterRegistry();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        limiter = new MissSearchLimiter(config, new CacheMeters(registry, new SeriesCache(config, registry), config, clock), clock);
    }

    @Test
    void aWideAnswerCostsOneSearchPerThousandSeries() {
        for (int i = 0; i < 5; i++) {
            limiter.acquire("hostile", "wide");
            limiter.charge("hostile", 9_900);
        }

        assertThatThrownBy(() -> limiter.acquire("hostile", "wide")).isInstanceOf(TooManySearchesException.class)
                .satisfies(e -> assertThat(((TooManySearchesException) e).retryAfter()).isEqualTo(Duration.ofMillis(200)));
    }

    @Test
    void narrowAnswersCostOneEach() {
        for (int i = 0; i < 50; i++) {
            limiter.acquire("quiet", "narrow");
            limiter.charge("quiet", i % 2 == 0 ? 1 : 1_000);
        }

        assertThatThrownBy(() -> limiter.acquire("quiet", "narrow")).isInstanceOf(TooManySearchesException.class);
    }

    @Test
    void aFailedSearchCostsTheOneTakenBeforeIt() {
        limiter.acquire("failing", "m");
        limiter.charge("failing", 0);

        for (int i = 0; i < 49; i++) {
            limiter.acquire("failing", "m");
        }
        assertThatThrownBy(() -> limiter.acquire("failing", "m")).isInstanceOf(TooManySearchesException.class);
    }

    @Test
    void oneNamespacesWideAnswersLeaveTheOthersShareWhole() {
        limiter.acquire("hostile", "wide");
        limiter.charge("hostile", 1_000_000);

        for (int i = 0; i < 50; i++) {
            limiter.acquire("quiet", "narrow");
        }
        assertThatThrownBy(() -> limiter.acquire("hostile", "wide")).isInstanceOf(TooManySearchesException.class)
                .satisfies(e -> assertThat(((TooManySearchesException) e).retryAfter())
                        .as("its debt is bounded: at most a full bucket, 10 s at 5 per second, then one token")
                        .isEqualTo(Duration.ofMillis(10_200)));
    }
}

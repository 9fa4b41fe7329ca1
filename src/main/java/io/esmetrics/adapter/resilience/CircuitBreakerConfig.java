package io.esmetrics.adapter.resilience;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** When a dependency keeps failing, stop sending it requests for a while instead of queueing threads on it. */
public interface CircuitBreakerConfig {

    /** Consecutive failed requests (unreachable, timed out, overloaded) that open the breaker. */
    @WithDefault("5")
    int failureThreshold();

    /** The first pause; each failed probe doubles it, plus up to 50% random jitter so adapters do not stampede. */
    @WithDefault("1s")
    Duration initialPause();

    @WithDefault("30s")
    Duration maxPause();
}

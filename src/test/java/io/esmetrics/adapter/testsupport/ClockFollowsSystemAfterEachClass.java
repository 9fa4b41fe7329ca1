package io.esmetrics.adapter.testsupport;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.callback.QuarkusTestAfterAllCallback;
import io.quarkus.test.junit.callback.QuarkusTestContext;

/**
 * A test class that stopped the {@link AdjustableClock} must not leave it stopped for the next class, which shares
 * the running adapter: after every class, the clock follows the system again.
 */
public final class ClockFollowsSystemAfterEachClass implements QuarkusTestAfterAllCallback {

    @Override
    public void afterAll(QuarkusTestContext context) {
        if (Arc.container() != null) {
            AdjustableClock.ofRunningAdapter().followSystem();
        }
    }
}

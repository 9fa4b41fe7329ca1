package io.esmetrics.adapter.crd;

import io.esmetrics.adapter.rules.InvalidMetricDefinitionException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the adapter makes of a resource, for the tests of other packages that compare it with a judgement of the API
 * server's (the admission policy's): the converter the informer uses, configured from properties as the adapter is.
 */
public final class AdapterJudgement {

    private AdapterJudgement() {
    }

    /**
     * Why the adapter would mark {@code resource} Invalid, configured by {@code properties} (the {@code
     * adapter.custom-resources.*} ones, with their defaults for the others); empty when it would serve it.
     */
    public static Optional<InvalidMetricDefinitionException> refusal(Map<String, String> properties, ElasticsearchMetric resource) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(CustomResourcesConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()).withDefaultValues(new HashMap<>(properties)).build();
        try {
            new ElasticsearchMetricConverter(config.getConfigMapping(CustomResourcesConfig.class)).toRule(resource);
            return Optional.empty();
        } catch (InvalidMetricDefinitionException e) {
            return Optional.of(e);
        }
    }
}

package io.esmetrics.adapter.provider;

import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the provider that really asks a backend. The HTTP layer injects the unqualified
 * {@link ExternalMetricsProvider} (the cache, which serves from memory), and only the cache injects this one.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Backend {
}

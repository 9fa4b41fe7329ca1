package io.esmetrics.adapter.testsupport;

import java.time.Duration;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The one Kubernetes control plane of a test JVM, for test classes that declare {@code @ExtendWith(SharedControlPlane.class)}
 * and take a {@link ControlPlane} parameter: started on first use (about 20 s), stopped when the JUnit launcher session
 * ends ({@link StopControlPlaneAfterTests}) or, failing that, when the JVM exits. Tests sharing it keep to namespaces
 * and names of their own. For plain JUnit classes: a {@code @QuarkusTest} runs in a class loader of its own, whose
 * statics would start a second control plane (SharedElasticsearch shows how to share one across class loaders).
 * <p>
 * The HPA controller's sync period is {@code -Des-metrics-adapter.test.hpa-sync-period} (an ISO-8601 duration), 2 s by
 * default: tests wait for an HPA to act, and 15 s (a real cluster's period) per step would make them slow.
 */
public final class SharedControlPlane implements ParameterResolver {

    private static final String HPA_SYNC_PERIOD = "es-metrics-adapter.test.hpa-sync-period";
    private static ControlPlane controlPlane;

    public static synchronized ControlPlane get() {
        if (controlPlane == null) {
            controlPlane = ControlPlane.start(Duration.parse(System.getProperty(HPA_SYNC_PERIOD, "PT2S")));
        }
        return controlPlane;
    }

    static synchronized void stop() {
        if (controlPlane != null) {
            controlPlane.close();
            controlPlane = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ControlPlane.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return get();
    }
}

package io.esmetrics.adapter.deploy;

/**
 * A Deployment of one replica and the HPA that scales it on an external metric of the adapter, selected by
 * {@code service=<name>}, one replica per {@code averageValue}: what a team applies. Its pods never run on a control
 * plane without kubelet, and need not: the HPA scales the Deployment's replicas all the same.
 */
public final class AutoscaledDeployment {

    private AutoscaledDeployment() {
    }

    /** The namespace, the Deployment and its HPA, as one YAML stream. */
    public static String manifest(String namespace, String service, String metric, String averageValue) {
        return """
                apiVersion: v1
                kind: Namespace
                metadata: {name: %1$s}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %2$s}}
                  template:
                    metadata: {labels: {app: %2$s}}
                    spec:
                      containers: [{name: %2$s, image: registry.k8s.io/pause:3.10}]
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: %2$s, namespace: %1$s}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %2$s}
                  minReplicas: 1
                  maxReplicas: 10
                  metrics:
                  - type: External
                    external:
                      metric:
                        name: %3$s
                        selector: {matchLabels: {service: %2$s}}
                      target: {type: AverageValue, averageValue: "%4$s"}
                  # Scale-down waits 5 minutes by default; a test cannot.
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 0}
                """.formatted(namespace, service, metric, averageValue);
    }
}

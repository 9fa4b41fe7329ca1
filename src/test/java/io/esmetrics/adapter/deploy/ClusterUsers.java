package io.esmetrics.adapter.deploy;

import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Kubectl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Callers of a real API server as a team's members are: service accounts of the team's namespace with a TokenRequest
 * token, each bound (or not) to a ClusterRole in that namespace. A token, unlike the administrator's client
 * certificate, carries a uid, which the aggregator passes on in {@code X-Remote-Uid}.
 */
final class ClusterUsers {

    /** A caller: its kubectl, its user name and uid as the API server authenticates them. */
    record User(Kubectl kubectl, String name, String uid) {
    }

    private ClusterUsers() {
    }

    /** Creates the namespace if needed, and a service account {@code name} there bound to {@code clusterRole} (none if null). */
    static User create(ControlPlane controlPlane, Path dir, String namespace, String name, String clusterRole)
            throws IOException, InterruptedException {
        Kubectl admin = controlPlane.kubectl();
        StringBuilder objects = new StringBuilder("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: %1$s}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: %2$s, namespace: %1$s}
                """.formatted(namespace, name));
        if (clusterRole != null) {
            objects.append("""
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: %2$s, namespace: %1$s}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "%3$s"}
                    subjects: [{kind: ServiceAccount, name: %2$s, namespace: %1$s}]
                    """.formatted(namespace, name, clusterRole));
        }
        Path userDir = Files.createDirectories(dir.resolve(namespace + "-" + name));
        admin.run("apply", "--server-side", "-f",
                Files.writeString(userDir.resolve("user.yaml"), objects).toString()).requireSuccess();
        String token = admin.run("create", "token", name, "-n", namespace, "--duration=1h").requireSuccess().stdout().strip();
        String uid = admin.run("get", "serviceaccount", name, "-n", namespace,
                "-o", "jsonpath={.metadata.uid}").requireSuccess().stdout().strip();
        Kubectl kubectl = Kubectl.configure(userDir, controlPlane.server(),
                Map.of("certificate-authority", controlPlane.clusterCa().certFile().toString()), Map.of("token", token));
        return new User(kubectl, "system:serviceaccount:" + namespace + ":" + name, uid);
    }
}

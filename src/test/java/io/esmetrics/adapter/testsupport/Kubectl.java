package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl (the one {@link KubernetesBinaries} built, of the control plane's version), pointed at a server by
 * a kubeconfig: what a platform engineer runs.
 */
public final class Kubectl {

    /** What kubectl printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {

        /** This result, when kubectl succeeded; else an AssertionError with what kubectl said. */
        public Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl failed (exit " + exitCode + "): " + stderr);
            }
            return this;
        }
    }

    private final Path kubeconfig;

    private Kubectl(Path kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    /**
     * Writes a kubeconfig with one cluster and one user into {@code dir}.
     *
     * @param clusterFields e.g. {@code certificate-authority-data}; the {@code server} is always set
     * @param userFields    e.g. {@code token}, or {@code client-certificate-data} and {@code client-key-data}
     */
    public static Kubectl configure(Path dir, String server, Map<String, String> clusterFields, Map<String, String> userFields)
            throws IOException {
        return configure(dir, server, clusterFields, userFields, null);
    }

    /** As {@link #configure(Path, String, Map, Map)}, with the context's namespace ({@code null}: none). */
    public static Kubectl configure(Path dir, String server, Map<String, String> clusterFields, Map<String, String> userFields,
            String namespace) throws IOException {
        Map<String, String> cluster = new LinkedHashMap<>();
        cluster.put("server", server);
        cluster.putAll(clusterFields);
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Config\nclusters:\n- name: adapter\n  cluster:\n");
        cluster.forEach((key, value) -> yaml.append("    ").append(key).append(": ").append(value).append('\n'));
        yaml.append("users:\n- name: user\n  user:\n");
        userFields.forEach((key, value) -> yaml.append("    ").append(key).append(": ").append(value).append('\n'));
        yaml.append("contexts:\n- name: adapter\n  context: {cluster: adapter, user: user")
                .append(namespace == null ? "" : ", namespace: " + namespace).append("}\ncurrent-context: adapter\n");
        return new Kubectl(Files.writeString(dir.resolve("kubeconfig"), yaml));
    }

    /** kubectl for a kubeconfig written elsewhere, e.g. the control plane's admin one. */
    public static Kubectl using(Path kubeconfig) {
        return new Kubectl(kubeconfig);
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(KubernetesBinaries.kubectl().toString(), "--kubeconfig", kubeconfig.toString(),
                // Discovery cached beside the kubeconfig, not in the home directory of whoever runs the tests.
                "--cache-dir", kubeconfig.resolveSibling("kubectl-cache").toString()));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(kubeconfig.getParent(), "kubectl-", ".out");
        Path stderr = Files.createTempFile(kubeconfig.getParent(), "kubectl-", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("kubectl did not finish within 60 s: " + command);
        }
        return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}

package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The Kubernetes programs the tests run (kubectl, kube-apiserver, kube-controller-manager, etcd), all of the one
 * version {@code src/test/controlplane/go.mod} pins, never whatever the machine has on its PATH: a kubectl of another
 * version renders kustomizations differently, and a fresh machine has none. {@code src/test/controlplane/build.sh}
 * builds them from the Go modules into a cache outside the work tree the first time (minutes), and after that only
 * says where they are.
 */
public final class KubernetesBinaries {

    private static final Path BUILD_SCRIPT = Path.of("src/test/controlplane/build.sh");
    /** A fresh build takes 19 minutes of CPU, 10 to 30 minutes on 2 cores as the machine is busy; a cached one, milliseconds. */
    private static final long BUILD_TIMEOUT_MINUTES = 40;
    private static final Logger LOG = Logger.getLogger(KubernetesBinaries.class);

    private static Path directory;

    private KubernetesBinaries() {
    }

    public static Path kubectl() {
        return binary("kubectl");
    }

    public static Path kubeApiserver() {
        return binary("kube-apiserver");
    }

    public static Path kubeControllerManager() {
        return binary("kube-controller-manager");
    }

    public static Path etcd() {
        return binary("etcd");
    }

    private static Path binary(String name) {
        Path binary = directory().resolve(name);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(BUILD_SCRIPT + " built no " + binary);
        }
        return binary;
    }

    /** Runs the build script once per class loader: it is a no-op when the binaries are built, and knows when they are stale. */
    private static synchronized Path directory() {
        if (directory == null) {
            directory = build();
        }
        return directory;
    }

    private static Path build() {
        try {
            Path log = Files.createTempFile("kubernetes-build-", ".log");
            Path out = Files.createTempFile("kubernetes-build-", ".out");
            try {
                Process build = new ProcessBuilder(List.of("bash", BUILD_SCRIPT.toString()))
                        .redirectOutput(out.toFile())
                        .redirectError(log.toFile())
                        .start();
                if (!build.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    build.destroyForcibly();
                    throw new IllegalStateException(BUILD_SCRIPT + " did not finish within " + BUILD_TIMEOUT_MINUTES + " minutes");
                }
                String errors = Files.readString(log, StandardCharsets.UTF_8);
                if (build.exitValue() != 0) {
                    throw new IllegalStateException(BUILD_SCRIPT + " failed (exit " + build.exitValue() + "):\n" + errors);
                }
                if (!errors.isBlank()) {
                    LOG.info(errors.strip());
                }
                List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
                return Path.of(lines.get(lines.size() - 1).strip());
            } finally {
                Files.deleteIfExists(log);
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

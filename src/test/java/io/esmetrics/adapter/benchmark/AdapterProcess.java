package io.esmetrics.adapter.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged adapter ({@code target/quarkus-app}) in its own JVM, as it runs in a pod. */
final class AdapterProcess implements AutoCloseable {

    /** Wall time from {@code java -jar} to the first 200 on {@code /readyz}, and Quarkus's own figure. */
    record Startup(Duration toReady, String quarkusReported) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.2f s to first ready probe (Quarkus: started in %s)",
                    toReady.toMillis() / 1000.0, quarkusReported);
        }
    }

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+s)");

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Startup startup;

    private AdapterProcess(Process process, int port, int managementPort, Path log, Startup startup) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.startup = startup;
    }

    static AdapterProcess start(String elasticsearch, List<String> extraOptions) throws Exception {
        return start(elasticsearch, extraOptions, Map.of());
    }

    /** @param environment added to the adapter's, e.g. {@code KUBECONFIG} for a scenario with a Kubernetes API */
    static AdapterProcess start(String elasticsearch, List<String> extraOptions, Map<String, String> environment)
            throws Exception {
        int port = freePort();
        int managementPort = freePort();
        Path log = Files.createTempFile("es-metrics-adapter-bench-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=local",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.log.level=WARN",
                "-Dquarkus.log.category.\"io.quarkus\".level=INFO",
                "-Dquarkus.elasticsearch.hosts=" + elasticsearch));
        command.addAll(extraOptions);
        // -Dbenchmark.adapter-options="-Dadapter.serving.openssl=false ...": compare settings without editing code.
        command.addAll(List.of(System.getProperty("benchmark.adapter-options", "").trim().split("\\s+")).stream()
                .filter(option -> !option.isEmpty()).toList());
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        // Also when the benchmark itself is interrupted: no adapter may outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        awaitReady(process, port, log);
        Duration toReady = Duration.ofNanos(System.nanoTime() - started);
        Matcher matcher = STARTED.matcher(Files.readString(log));
        return new AdapterProcess(process, port, managementPort, log,
                new Startup(toReady, matcher.find() ? matcher.group(1) : "not logged at level WARN"));
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The adapter's own meters, in Prometheus' text format. */
    String meters() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of one sample of {@link #meters()}, e.g. {@code esmetrics_cache_refresh_seconds_count}; 0 if absent. */
    double meter(String sample) throws IOException, InterruptedException {
        for (String line : meters().split("\n")) {
            if (line.startsWith(sample + " ") || line.startsWith(sample + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    Startup startup() {
        return startup;
    }

    /** The end of the adapter's log, to explain a failed measurement. */
    String logTail(int lines) throws IOException {
        List<String> all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    long residentSetKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * CPU time the adapter used so far, user and system, from {@code /proc/<pid>/stat} (in clock ticks of 1/100 s, as
     * on every Linux this runs on).
     */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        // After the command name, which may hold spaces, in parentheses: state is field 3, utime 14, stime 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    @Override
    public void close() throws Exception {
        if (!process.isAlive()) {
            // It died during the run: what it said last is the only account of why.
            System.out.println("The adapter exited by itself with status " + process.exitValue() + "; its last lines:\n"
                    + logTail(60));
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }

    private static void awaitReady(Process process, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the adapter exited:\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            process.waitFor(20, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("the adapter was not ready after 2 minutes:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

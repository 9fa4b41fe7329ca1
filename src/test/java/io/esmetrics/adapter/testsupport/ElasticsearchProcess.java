package io.esmetrics.adapter.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A real Elasticsearch node from the Maven Central distribution (unpacked by the build into
 * {@code target/elasticsearch-dist}), run from a private copy in a fresh temporary directory. The distribution
 * may as well be an OpenSearch one: {@link SearchEngine} says how each engine starts.
 * Neither engine runs as root: when the build is root, the node runs as {@code nobody}.
 */
public final class ElasticsearchProcess implements AutoCloseable {

    /** The index template and the final pipeline of the event indices, as the setup Job installs them. */
    private static final Path EVENT_INDEX_TEMPLATE = Path.of("k8s/elasticsearch/ai-events-index-template.json");
    private static final Path EVENT_FINAL_PIPELINE = Path.of("k8s/elasticsearch/ai-events-final-pipeline.yaml");

    private static final int NOBODY = 65534;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = Logger.getLogger(ElasticsearchProcess.class);

    /** How the tests themselves reach a node: scheme, TLS context and Authorization header (secured nodes). */
    public record AdminAccess(String scheme, javax.net.ssl.SSLContext sslContext, String authorization) {
        static final AdminAccess PLAIN = new AdminAccess("http", null, null);
    }

    private final SearchEngine engine;
    private final Path workDir;
    /** The process when this handle started it (and stops it); empty for a node another class loader started. */
    private final Optional<Process> started;
    private final ProcessHandle process;
    private final AdminAccess access;
    /** Known once the node has written its ports file: it binds a port of its own choosing, never one found free before. */
    private volatile int httpPort;
    private final String clusterName;
    private final HttpClient http;
    private final Thread shutdownHook = new Thread(this::stopProcesses, "stop-elasticsearch");

    private ElasticsearchProcess(SearchEngine engine, Path workDir, Optional<Process> started, ProcessHandle process, int httpPort,
                                 String clusterName, AdminAccess access) {
        this.engine = engine;
        this.access = access;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (access.sslContext() != null) {
            builder.sslContext(access.sslContext());
        }
        this.http = builder.build();
        this.workDir = workDir;
        this.started = started;
        this.process = process;
        this.httpPort = httpPort;
        this.clusterName = clusterName;
    }

    /**
     * What another class loader of the same JVM needs to use this node: Quarkus runs the test resources of each test
     * profile in a class loader of its own, whose statics start empty. Sharing the node through a system property
     * (see SharedElasticsearch) spares a node start per profile.
     */
    public String descriptor() {
        return String.join("|", workDir.toString(), String.valueOf(process.pid()), String.valueOf(httpPort), clusterName);
    }

    /** A handle on the node a {@link #descriptor()} names, if it still runs; it never stops the node (its starter does). */
    public static Optional<ElasticsearchProcess> attach(String descriptor, AdminAccess access) {
        if (descriptor == null) {
            return Optional.empty();
        }
        String[] parts = descriptor.split("\\|");
        Path workDir = Path.of(parts[0]);
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(parts[1])).filter(ProcessHandle::isAlive);
        return process.map(handle -> new ElasticsearchProcess(SearchEngine.in(workDir.resolve("home")), workDir, Optional.empty(),
                handle, Integer.parseInt(parts[2]), parts[3], access));
    }

    /** Starts a single-node cluster, security off, and waits until it is yellow. */
    public static ElasticsearchProcess start() {
        return start(Map.of());
    }

    /** Prepares a node's home (config files, users, tokens) before it starts; runs as the build's user. */
    @FunctionalInterface
    public interface HomePreparation {
        void prepare(Path home) throws Exception;
    }

    /** Starts a single-node cluster with extra {@code -E} settings (over the engine's defaults: security off). */
    public static ElasticsearchProcess start(Map<String, String> extraSettings) {
        return start(extraSettings, home -> { }, AdminAccess.PLAIN);
    }

    /** Starts a single-node cluster with extra {@code -E} settings, its home prepared first. */
    public static ElasticsearchProcess start(Map<String, String> extraSettings, HomePreparation preparation, AdminAccess access) {
        return start(distribution(), extraSettings, preparation, access);
    }

    /** Starts a single-node cluster of another distribution than the build's engine, its home prepared first. */
    public static ElasticsearchProcess start(Path distribution, Map<String, String> extraSettings, HomePreparation preparation,
            AdminAccess access) {
        return start(distribution, "es-metrics-adapter-test-" + UUID.randomUUID().toString().substring(0, 8), "test-node",
                extraSettings, preparation, access);
    }

    /**
     * Starts one node of a cluster of several on loopback, security off: the first names itself in {@code masterNodes}
     * and finds no one; the others find it through {@code seedHosts} (the transport addresses of nodes already running,
     * {@link #transportAddress()}). Returns once the node is part of a yellow cluster.
     */
    public static ElasticsearchProcess startClusterNode(String clusterName, String nodeName, List<String> masterNodes,
            List<String> seedHosts) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("discovery.type", "multi-node");
        settings.put("cluster.initial_master_nodes", String.join(",", masterNodes));
        if (!seedHosts.isEmpty()) {
            settings.put("discovery.seed_hosts", String.join(",", seedHosts)); // refused when empty
        }
        return start(distribution(), clusterName, nodeName, settings, home -> { }, AdminAccess.PLAIN);
    }

    private static ElasticsearchProcess start(Path distribution, String clusterName, String nodeName,
            Map<String, String> extraSettings, HomePreparation preparation, AdminAccess access) {
        SearchEngine engine = SearchEngine.in(distribution);
        engine.requireKnown(extraSettings);
        Path javaHome = JavaHome.atLeast(engine.minimumJava(), engine);
        try {
            Path workDir = Files.createTempDirectory(Path.of("/tmp"), "es-metrics-adapter-es-");
            Path home = workDir.resolve("home");
            copyTree(distribution, home);
            for (String dir : List.of("data", "logs", "tmp")) {
                Files.createDirectories(workDir.resolve(dir));
            }
            try {
                preparation.prepare(home);
            } catch (Exception e) {
                throw new IllegalStateException("cannot prepare the " + engine + " home: " + e.getMessage(), e);
            }
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("cluster.name", clusterName);
            settings.put("node.name", nodeName);
            settings.put("discovery.type", "single-node");
            settings.put("network.host", "127.0.0.1");
            // Ports of the node's own choosing, written to logs/http.ports: a port found free and then released could
            // be taken by anything before the node binds it.
            settings.put("http.port", "0");
            settings.put("transport.port", "0");
            settings.put("node.portsfile", "true");
            settings.put("path.data", workDir.resolve("data").toString());
            settings.put("path.logs", workDir.resolve("logs").toString());
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            settings.putAll(engine.defaultSettings());
            settings.putAll(extraSettings);

            List<String> command = new ArrayList<>();
            if (isRoot()) {
                chownTree(workDir, NOBODY);
                command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
            }
            command.add(home.resolve(engine.product().startScript()).toString());
            settings.forEach((key, value) -> command.add("-E" + key + "=" + value));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("logs/console.log").toFile());
            builder.environment().put(engine.product().javaHomeVariable(), javaHome.toString());
            builder.environment().put(engine.product().javaOptionsVariable(), "-Xms512m -Xmx512m");
            builder.environment().put(engine.product().tmpDirVariable(), workDir.resolve("tmp").toString());
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            Instant started = Instant.now();
            Process process = builder.start();
            ElasticsearchProcess node = new ElasticsearchProcess(engine, workDir, Optional.of(process), process.toHandle(), 0,
                    clusterName, access);
            // Quarkus runs test resources in class loaders of their own, whose statics no listener reaches:
            // whatever else happens, the node dies with the JVM that started it.
            Runtime.getRuntime().addShutdownHook(node.shutdownHook);
            node.awaitReady();
            node.requireVersion();
            LOG.infof("%s started at %s in %d s, on the Java %s of %s", engine, node.hostAndPort(),
                    Duration.between(started, Instant.now()).toSeconds(), JavaHome.featureVersion(javaHome).orElse(0), javaHome);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one of the distribution's command line tools (elasticsearch-users, ...) and returns what it printed. */
    public static String runTool(Path home, String tool, String... args) throws IOException, InterruptedException {
        SearchEngine engine = SearchEngine.in(home);
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin").resolve(tool).toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(engine.product().javaHomeVariable(), JavaHome.atLeast(engine.minimumJava(), engine).toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(tool + " failed: " + output);
        }
        return output;
    }

    public String hostAndPort() {
        return "127.0.0.1:" + httpPort;
    }

    public URI uri(String path) {
        return URI.create(access.scheme() + "://" + hostAndPort() + path);
    }

    public Path workDir() {
        return workDir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The engine this node runs. */
    public SearchEngine engine() {
        return engine;
    }

    /** Sends a request and returns the parsed JSON answer; fails on any non-2xx status. */
    public JsonNode request(String method, String path, String body) {
        return request(method, path, path.contains("_bulk") ? "application/x-ndjson" : "application/json", body);
    }

    private JsonNode request(String method, String path, String contentType, String body) {
        try {
            HttpRequest.Builder request = authorized(HttpRequest.newBuilder(uri(path))).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", contentType)
                    .header("Accept", "application/json") // else a YAML request is answered in YAML
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Installs the index template that the setup Job installs in a cluster, read from the shipped manifests, and a
     * stand-in for the final pipeline it names: the integ-test distributions have no ingest processors (no
     * ingest-common module), so the stand-in has none, and tests stamp {@code event.ingested} themselves
     * (Events#arrivedAt); {@link #installShippedEventPipeline()} installs the real one.
     */
    public void installEventIndexTemplate() {
        try {
            request("PUT", "/_ingest/pipeline/ai-events-final", "{\"description\":\"stand-in: the shipped pipeline"
                    + " needs the ingest-common and lang-painless modules\",\"processors\":[]}");
            request("PUT", "/_index_template/ai-events", Files.readString(EVENT_INDEX_TEMPLATE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Installs the final pipeline the setup Job installs in a cluster (k8s/elasticsearch/setup-users.sh), as YAML like
     * the Job, and the index template that names it. Only a node with the ingest modules runs it ({@link IngestNode}).
     */
    public void installShippedEventPipeline() {
        try {
            request("PUT", "/_ingest/pipeline/ai-events-final", "application/yaml",
                    Files.readString(EVENT_FINAL_PIPELINE));
            request("PUT", "/_index_template/ai-events", Files.readString(EVENT_INDEX_TEMPLATE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates an index whose only shard can be allocated nowhere: every search of a pattern matching it has a
     * failed shard, the partial answer the adapter must refuse.
     */
    public void createIndexWithUnassignedShard(String index) {
        request("PUT", "/" + index + "?wait_for_active_shards=0", """
                {"settings": {"number_of_shards": 1, "number_of_replicas": 0,
                              "index.routing.allocation.require._name": "no-such-node"}}""");
    }

    /** Stops the node and every process it started, then removes its files. */
    @Override
    public void close() {
        if (started.isEmpty()) {
            return; // another class loader started the node, and stops it
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or has run
        }
        stopProcesses();
    }

    private synchronized void stopProcesses() {
        if (!process.isAlive() && !Files.exists(workDir)) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).join().isAlive()) {
                // stopped
            }
        } catch (RuntimeException e) {
            // waited long enough
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            process.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
        }
        for (ProcessHandle child : descendants) {
            child.destroyForcibly();
            child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
        }
        WorkDirectories.delete(workDir);
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return access.authorization() == null ? request : request.header("Authorization", access.authorization());
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                String log = consoleLog();
                close();
                throw new IllegalStateException(engine + " exited with " + started.orElseThrow().exitValue() + ":\n" + log);
            }
            if (httpPort == 0) {
                httpPort = portFromPortsFile().orElse(0);
            }
            if (httpPort == 0) {
                pause();
                continue;
            }
            try {
                HttpResponse<String> response = http.send(
                        authorized(HttpRequest.newBuilder(uri("/_cluster/health?wait_for_status=yellow&timeout=1s")))
                                .timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    String name = JSON.readTree(response.body()).path("cluster_name").asText();
                    if (!clusterName.equals(name)) {
                        close();
                        throw new IllegalStateException("port " + httpPort + " is served by another cluster: " + name);
                    }
                    return;
                }
            } catch (ConnectException e) {
                // not listening yet
            } catch (IOException e) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pause();
        }
        String log = consoleLog();
        close();
        throw new IllegalStateException(engine + " was not ready after " + START_TIMEOUT + ":\n" + log);
    }

    /**
     * The node must be the engine its distribution's files name: a report that says "OpenSearch 2.19.6" is then
     * a fact. The version is read from {@code GET /_nodes/_local}; {@code GET /} answers 405 on the
     * Elasticsearch 8 and 9 test distributions.
     */
    private void requireVersion() {
        String reported;
        try {
            JsonNode nodes = request("GET", "/_nodes/_local?filter_path=nodes.*.version", null).path("nodes");
            reported = nodes.isEmpty() ? "(none)" : nodes.elements().next().path("version").asText();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (!engine.version().equals(reported)) {
            close();
            throw new IllegalStateException("the node of " + engine + " reports version " + reported);
        }
    }

    /** Where other nodes of its cluster reach it: its transport address on loopback, written once it listens. */
    public String transportAddress() {
        return "127.0.0.1:" + portFromPortsFile("transport.ports").orElseThrow(
                () -> new IllegalStateException(engine + " wrote no transport port in " + workDir.resolve("logs")));
    }

    private Optional<Integer> portFromPortsFile() {
        return portFromPortsFile("http.ports");
    }

    /** The node writes the addresses it bound to logs/http.ports and logs/transport.ports once it listens. */
    private Optional<Integer> portFromPortsFile(String file) {
        try {
            Path ports = workDir.resolve("logs").resolve(file);
            if (!Files.exists(ports)) {
                return Optional.empty();
            }
            return Files.readAllLines(ports).stream().filter(line -> line.startsWith("127.0.0.1:")).findFirst()
                    .map(line -> Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // being written
        }
    }

    private void pause() {
        try {
            started.orElseThrow().waitFor(250, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String consoleLog() {
        try {
            List<String> lines = Files.readAllLines(workDir.resolve("logs/console.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no console log: " + e + ")";
        }
    }

    private static Path distribution() {
        String configured = System.getProperty("elasticsearch.distribution");
        Path path = configured != null ? Path.of(configured) : null;
        if (path == null || !Files.isDirectory(path)) {
            throw new IllegalStateException("No Elasticsearch (or OpenSearch) distribution at " + configured
                    + "; run the tests through Maven, which unpacks it (mvn verify)");
        }
        return path;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }


    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        // Every parent of the node's files must be traversable by the unprivileged user.
        Files.setPosixFilePermissions(to.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void chownTree(Path root, int uid) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setAttribute(path, "unix:uid", uid);
                Files.setAttribute(path, "unix:gid", uid);
            }
        }
    }
}

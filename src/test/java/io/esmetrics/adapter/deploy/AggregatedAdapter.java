package io.esmetrics.adapter.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.WorkDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The packaged adapter ({@code target/quarkus-app}, what the image runs) as a process outside the cluster, installed
 * on a real {@link ControlPlane} with the shipped manifests and reached by the real kube-aggregator through the
 * shipped {@code apiservice.yaml} and Service.
 * <p>
 * The control plane runs no kube-proxy and the adapter runs in no pod, so the Service gets an EndpointSlice written
 * here: the adapter's address and port. The API server routes aggregated requests to endpoints
 * ({@code --enable-aggregator-routing=true}) and verifies the adapter's certificate for
 * {@code es-metrics-adapter.es-metrics-adapter.svc} against the APIService's caBundle, which the adapter fills itself
 * ({@code adapter.serving.self-managed=true}). An endpoint's address may not be loopback, so the adapter listens on
 * the machine's first non-loopback IPv4 address. It calls the API server with a TokenRequest token of its own service
 * account, so every permission it uses is the one the manifests grant.
 */
public final class AggregatedAdapter implements AutoCloseable {

    public static final String NAMESPACE = "es-metrics-adapter";
    static final String API_SERVICE = "apiservice/v1beta1.external.metrics.k8s.io";
    static final Path PACKAGED = Path.of(System.getProperty("adapter.packaged", "target/quarkus-app/quarkus-run.jar"));
    private static final Path LOGS = Path.of("target", "aggregated-adapter");
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    private static final Logger LOG = Logger.getLogger(AggregatedAdapter.class);

    private final ControlPlane controlPlane;
    private final ElasticsearchProcess elasticsearch;
    private final Map<String, String> properties;
    private final Path workDir;
    private final String address;
    private final int port;
    private final int managementPort;
    private Process process;

    private AggregatedAdapter(ControlPlane controlPlane, ElasticsearchProcess elasticsearch, Map<String, String> properties,
            Path workDir, String address, int port, int managementPort) {
        this.controlPlane = controlPlane;
        this.elasticsearch = elasticsearch;
        this.properties = properties;
        this.workDir = workDir;
        this.address = address;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * Applies the ElasticsearchMetric definition and its roles, the adapter's objects of {@code k8s/adapter} but its
     * Deployment (the process below stands in for its pods), {@code apiservice.yaml} and the EndpointSlice; starts
     * nothing yet.
     *
     * @param properties the adapter's configuration beyond what the Deployment sets, as {@code -D} options
     */
    public static AggregatedAdapter install(ControlPlane controlPlane, ElasticsearchProcess elasticsearch, Map<String, String> properties)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(PACKAGED)) {
            throw new IllegalStateException(PACKAGED + " does not exist: these tests run after `package`, in `./mvnw -B verify`");
        }
        Path workDir = Files.createTempDirectory("es-metrics-adapter-aggregated-");
        Files.createDirectories(LOGS);
        AggregatedAdapter adapter = new AggregatedAdapter(controlPlane, elasticsearch, Map.copyOf(properties), workDir,
                machineAddress(), freePort(), freePort());
        Kubectl kubectl = controlPlane.kubectl();
        kubectl.run("apply", "--server-side", "-k", Manifests.K8S.resolve("crd").toString()).requireSuccess();
        kubectl.run("wait", "--for=condition=Established", "--timeout=50s",
                "customresourcedefinition/elasticsearchmetrics.esmetrics.io").requireSuccess();
        List<String> objects = new ArrayList<>();
        for (String document : Manifests.documents(Manifests.kustomize(Manifests.K8S.resolve("adapter")))) {
            if (!Manifests.yaml(document).path("kind").asText().equals("Deployment")) {
                objects.add(document);
            }
        }
        objects.add(Manifests.read(Manifests.API_SERVICE));
        objects.add(adapter.endpointSlice());
        kubectl.run("apply", "--server-side", "-f", write(workDir, "installed", objects).toString()).requireSuccess();
        return adapter;
    }

    /**
     * Starts the packaged adapter with a fresh token of its service account and waits until it answers on its
     * management port (its HTTPS port may wait).
     */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        Kubectl kubectl = controlPlane.kubectl();
        Kubectl.Result token = kubectl.run("create", "token", "es-metrics-adapter", "-n", NAMESPACE, "--duration=2h").requireSuccess();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.host=" + address,
                "-Dquarkus.http.ssl-port=" + port,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.elasticsearch.hosts=" + elasticsearch.hostAndPort(),
                // What the shipped Deployment sets; Elasticsearch here is plain HTTP without users.
                "-Dadapter.serving.self-managed=true"));
        properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.addAll(List.of("-jar", PACKAGED.toAbsolutePath().toString()));
        // A kubeconfig, as outside a cluster: the quarkus.kubernetes-client.* properties are fixed at build time, and
        // Quarkus logs each one set at run time with its value, a token included.
        Kubectl ownAccount = Kubectl.configure(workDir, controlPlane.server(),
                Map.of("certificate-authority", controlPlane.clusterCa().certFile().toString()),
                Map.of("token", token.stdout().strip()), NAMESPACE);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().put("KUBECONFIG", ownAccount.kubeconfig().toString());
        process = builder.start();
        // Also when the tests' JVM is killed: no adapter may outlive it.
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "stop-aggregated-adapter"));
        LOG.infof("adapter started at https://%s:%d (pid %d, log %s)", address, port, process.pid(), log());
        await("the adapter's management port").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the adapter exited:\n" + logTail());
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), managementPort), 500);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** Waits until the aggregator reports the APIService available: it reached the adapter and trusted it. */
    public void awaitAvailable() {
        await("APIService Available=True").atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (process == null || !process.isAlive()) {
                        throw new IllegalStateException("the adapter is not running:\n" + logTail());
                    }
                    return apiServiceIs(condition -> condition.path("status").asText().equals("True"));
                });
    }

    /** Stops the process (SIGTERM, then SIGKILL after 20 s). The installed objects stay. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    boolean apiServiceIs(Predicate<JsonNode> availableCondition) throws IOException, InterruptedException {
        JsonNode apiService = apiService();
        for (JsonNode condition : apiService.at("/status/conditions")) {
            if (condition.path("type").asText().equals("Available")) {
                return availableCondition.test(condition);
            }
        }
        return false;
    }

    JsonNode apiService() throws IOException, InterruptedException {
        return Manifests.yaml(controlPlane.kubectl().run("get", API_SERVICE, "-o", "json").requireSuccess().stdout());
    }

    String logTail() throws IOException {
        List<String> lines = Files.exists(log()) ? Files.readAllLines(log()) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    /** In target/, where it outlives the test for whoever reads a failure (CI keeps target/ of a failed build). */
    Path log() {
        return LOGS.resolve(workDir.getFileName() + ".log");
    }

    /**
     * Stops the adapter and deletes the APIService: an unavailable one would stall namespace deletion for every other
     * test of the control plane. The rest of the install stays, as it would after an uninstall that keeps the CRD.
     */
    @Override
    public void close() throws Exception {
        try {
            stop();
            controlPlane.kubectl().run("delete", API_SERVICE, "--ignore-not-found");
        } finally {
            WorkDirectories.delete(workDir);
        }
    }

    private String endpointSlice() {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: es-metrics-adapter-outside-the-cluster
                  namespace: %s
                  labels: {kubernetes.io/service-name: es-metrics-adapter}
                addressType: IPv4
                endpoints:
                - addresses: ["%s"]
                  conditions: {ready: true}
                ports:
                - {name: https, port: %d, protocol: TCP}
                """.formatted(NAMESPACE, address, port);
    }

    /**
     * The machine's first non-loopback IPv4 address: the Service's endpoint. Loopback is refused in an
     * EndpointSlice, and the aggregator dials the endpoint's address as written.
     */
    static String machineAddress() {
        try {
            for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (network.isUp() && !network.isLoopback()) {
                    for (InetAddress candidate : Collections.list(network.getInetAddresses())) {
                        if (candidate instanceof Inet4Address && !candidate.isLoopbackAddress() && !candidate.isLinkLocalAddress()) {
                            return candidate.getHostAddress();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("this machine has no non-loopback IPv4 address, which an EndpointSlice needs to "
                + "lead the aggregator to an adapter outside the cluster (docs/development.md, 'Reaching an adapter "
                + "outside the cluster')");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path write(Path dir, String name, List<String> documents) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), String.join("\n---\n", documents));
    }
}

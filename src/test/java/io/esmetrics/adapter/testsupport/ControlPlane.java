package io.esmetrics.adapter.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A real Kubernetes control plane on loopback ports: etcd, kube-apiserver (with its aggregator) and
 * kube-controller-manager, the binaries of {@link KubernetesBinaries}, with generated PKI ({@link ControlPlanePki})
 * and RBAC. There is no kubelet and no scheduler: pods stay Pending, which does not stop an HPA from changing a
 * Deployment's replicas. Every process is stopped by {@link #close()}, at the latest when the JVM exits.
 */
public final class ControlPlane implements AutoCloseable {

    /** The API server's address in the Service network (the {@code kubernetes} Service): first of the range. */
    static final String SERVICE_IP = "10.0.0.1";
    /**
     * The controllers an HPA needs to act on a Deployment, as named by kube-controller-manager 1.37: the HPA itself,
     * the Deployment and ReplicaSet controllers, service accounts and their tokens (the controllers call as service
     * accounts of kube-system, {@code --use-service-account-credentials}), namespace deletion (an uninstall
     * deletes namespaces), the aggregation of ClusterRoles (what makes the built-in {@code edit} and {@code view}
     * roles grant ElasticsearchMetrics), and resource quotas (the documented bound on ElasticsearchMetrics per namespace).
     */
    private static final List<String> CONTROLLERS = List.of("horizontal-pod-autoscaler-controller", "deployment-controller",
            "replicaset-controller", "serviceaccount-token-controller", "serviceaccount-controller", "namespace-controller",
            "clusterrole-aggregation-controller", "resourcequota-controller");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Logger LOG = Logger.getLogger(ControlPlane.class);

    private final Path workDir;
    private final ControlPlanePki pki;
    private final String server;
    private final List<ControlPlaneProcess> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopProcesses, "stop-control-plane");
    private Kubectl admin;

    private ControlPlane(Path workDir, ControlPlanePki pki, String server) {
        this.workDir = workDir;
        this.pki = pki;
        this.server = server;
    }

    /** @param hpaSyncPeriod how often the HPA controller reads metrics and scales (15 s in a real cluster) */
    public static ControlPlane start(Duration hpaSyncPeriod) {
        Instant started = Instant.now();
        try {
            Path workDir = Files.createTempDirectory("es-metrics-adapter-control-plane-");
            ControlPlanePki pki = ControlPlanePki.generate(workDir.resolve("pki"));
            ControlPlane controlPlane = new ControlPlane(workDir, pki, "https://127.0.0.1:" + freePort());
            Runtime.getRuntime().addShutdownHook(controlPlane.shutdownHook);
            try {
                controlPlane.startProcesses(hpaSyncPeriod);
            } catch (RuntimeException e) {
                controlPlane.close();
                throw e;
            }
            LOG.infof("Kubernetes control plane started at %s in %d s (work directory %s)", controlPlane.server,
                    Duration.between(started, Instant.now()).toSeconds(), workDir);
            return controlPlane;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String server() {
        return server;
    }

    /** kubectl as {@code admin}, of group {@code system:masters}. */
    public Kubectl kubectl() {
        return admin;
    }

    /** An HTTP client that calls the API server as {@code admin}, for tests that poll faster than kubectl starts. */
    public HttpClient adminHttpClient() {
        return pki.admin().httpClientTrusting(pki.clusterCa());
    }

    public Path adminKubeconfig() {
        return admin.kubeconfig();
    }

    /**
     * The API server's audit log: JSON lines, one event per request at level Metadata (who, what, the answer's code);
     * SubjectAccessReviews at level Request, with the body (whose access, with which uid, was asked about).
     */
    public Path auditLog() {
        return workDir.resolve("audit.log");
    }

    public Path apiServerLog() {
        return workDir.resolve("kube-apiserver.log");
    }

    public Path controllerManagerLog() {
        return workDir.resolve("kube-controller-manager.log");
    }

    /** The CA of the API server's serving certificate and of its client certificates. */
    public TestPki.Issued clusterCa() {
        return pki.clusterCa();
    }

    /** The CA of the aggregator's client certificate: what an aggregated API server trusts for X-Remote-* headers. */
    public TestPki.Issued frontProxyCa() {
        return pki.frontProxyCa();
    }

    private void startProcesses(Duration hpaSyncPeriod) throws IOException {
        int etcdPort = freePort();
        int etcdPeerPort = freePort();
        ControlPlaneProcess etcd = launch("etcd", List.of(KubernetesBinaries.etcd().toString(),
                "--name=control-plane", "--data-dir=" + workDir.resolve("etcd"),
                "--listen-client-urls=http://127.0.0.1:" + etcdPort, "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls=http://127.0.0.1:" + etcdPeerPort,
                "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeerPort,
                "--initial-cluster=control-plane=http://127.0.0.1:" + etcdPeerPort,
                // Test data: durability is not worth an fsync per write on a shared CI disk.
                "--unsafe-no-fsync", "--log-level=warn"));
        awaitHttp(etcd, HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + etcdPort + "/health"));

        ControlPlaneProcess apiServer = launch("kube-apiserver", apiServerCommand(etcdPort));
        HttpClient asAdmin = pki.admin().httpClientTrusting(pki.clusterCa());
        awaitHttp(apiServer, asAdmin, URI.create(server + "/readyz"));
        admin = Kubectl.configure(Files.createDirectories(workDir.resolve("admin")), server,
                Map.of("certificate-authority", pki.clusterCa().certFile().toString()),
                Map.of("client-certificate", pki.admin().certFile().toString(), "client-key", pki.admin().keyFile().toString()));

        Kubectl controllerManagerConfig = Kubectl.configure(Files.createDirectories(workDir.resolve("kube-controller-manager")), server,
                Map.of("certificate-authority", pki.clusterCa().certFile().toString()),
                Map.of("client-certificate", pki.controllerManager().certFile().toString(),
                        "client-key", pki.controllerManager().keyFile().toString()));
        String kubeconfig = controllerManagerConfig.kubeconfig().toString();
        ControlPlaneProcess controllerManager = launch("kube-controller-manager", List.of(
                KubernetesBinaries.kubeControllerManager().toString(),
                "--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig,
                "--bind-address=127.0.0.1", "--secure-port=0", "--leader-elect=false",
                // Each controller calls with a service account of kube-system (the HPA's is
                // system:serviceaccount:kube-system:horizontal-pod-autoscaler), as in real clusters.
                "--use-service-account-credentials=true",
                "--controllers=" + String.join(",", CONTROLLERS),
                "--service-account-private-key-file=" + pki.serviceAccountKey(),
                "--root-ca-file=" + pki.clusterCa().certFile(),
                "--horizontal-pod-autoscaler-sync-period=" + hpaSyncPeriod.toMillis() + "ms",
                // A quota on a resource defined after start (the ElasticsearchMetric CRD) is counted at the next full
                // sync: 10 s instead of 5 minutes.
                "--resource-quota-sync-period=10s"));
        // Ready when its service account controller has made the default namespace's service account.
        awaitHttp(controllerManager, asAdmin, URI.create(server + "/api/v1/namespaces/default/serviceaccounts/default"));
    }

    private List<String> apiServerCommand(int etcdPort) throws IOException {
        Path auditPolicy = Files.writeString(workDir.resolve("audit-policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: [RequestReceived]
                rules:
                - level: Request
                  resources: [{group: authorization.k8s.io, resources: [subjectaccessreviews]}]
                - level: Metadata
                """);
        int port = URI.create(server).getPort();
        return List.of(KubernetesBinaries.kubeApiserver().toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + port,
                // The reconciler would publish the advertised address as the kubernetes Service's endpoint, and refuses
                // a loopback one; nothing here reaches the API server through that Service.
                "--endpoint-reconciler-type=none",
                "--cert-dir=" + workDir.resolve("kube-apiserver-certificates"),
                "--tls-cert-file=" + pki.apiServer().certFile(), "--tls-private-key-file=" + pki.apiServer().keyFile(),
                "--client-ca-file=" + pki.clusterCa().certFile(),
                "--authorization-mode=Node,RBAC",
                "--service-cluster-ip-range=" + SERVICE_IP + "/24",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=" + pki.serviceAccountPublicKey(),
                "--service-account-signing-key-file=" + pki.serviceAccountKey(),
                // The aggregator: its client certificate, and how an aggregated API server is told whom to trust.
                "--proxy-client-cert-file=" + pki.frontProxyClient().certFile(),
                "--proxy-client-key-file=" + pki.frontProxyClient().keyFile(),
                "--requestheader-client-ca-file=" + pki.frontProxyCa().certFile(),
                "--requestheader-allowed-names=" + ControlPlanePki.FRONT_PROXY_CLIENT,
                "--requestheader-username-headers=X-Remote-User",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--requestheader-uid-headers=X-Remote-Uid",
                // The aggregator dials a Service's endpoints, not its cluster IP: there is no kube-proxy here, and an
                // adapter outside the cluster is reached through an EndpointSlice (see AggregatedAdapter).
                "--enable-aggregator-routing=true",
                "--allow-privileged=true",
                "--audit-policy-file=" + auditPolicy,
                "--audit-log-path=" + auditLog(),
                "--profiling=false");
    }

    private ControlPlaneProcess launch(String name, List<String> command) {
        ControlPlaneProcess process = ControlPlaneProcess.start(name, command, workDir);
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    /** Waits for a 200 from {@code uri}, failing at once with the program's log when it exits. */
    private static void awaitHttp(ControlPlaneProcess process, HttpClient client, URI uri) {
        await(process + " answering " + uri).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
            process.requireAlive();
            try {
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
                return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYetListening) {
                return false;
            }
        });
    }

    /**
     * A port free now. etcd and kube-apiserver cannot report a port of their own choosing, so the port is found free
     * and given to them; another process could take it in between, which a failed start then says.
     */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The controller manager first, etcd last: each stops while what it talks to still answers. */
    private void stopProcesses() {
        synchronized (processes) {
            for (int i = processes.size() - 1; i >= 0; i--) {
                processes.get(i).stop();
            }
            processes.clear();
        }
    }

    @Override
    public void close() {
        stopProcesses();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmAlreadyExiting) {
            // the hook runs or ran: nothing left to remove
        }
        WorkDirectories.delete(workDir);
    }
}

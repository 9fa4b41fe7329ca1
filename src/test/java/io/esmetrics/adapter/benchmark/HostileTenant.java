package io.esmetrics.adapter.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.deploy.AggregatedAdapter;
import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy;
import io.esmetrics.adapter.testsupport.ElasticsearchProxy.TimedSearches;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.WorkDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The hostile-tenant scenario (issue 24): {@value #NAMESPACES} ordinary namespaces polled as in {@link TenantScale},
 * once alone ("quiet") and once beside a {@link HostileNamespace} at every bound, with the same adapter, settings and
 * Kubernetes API (a real control plane with the CRD; the adapter watches ElasticsearchMetrics in both runs). Only the
 * ordinary namespaces are measured; the target is their figures within 20% of the quiet run's. The hostile
 * namespace's HPAs are polled by threads of their own, so that the ordinary HPAs' polls are the same in both runs:
 * in a cluster they share the HPA controller's workers, which a slow answer holds, and that is not the adapter's
 * cost. {@code -Dbenchmark.hostile-intervals=20} sets how many refresh intervals are measured.
 */
record HostileTenant(Run quiet, Run hostile) {

    static final int NAMESPACES = 300;
    private static final Duration INTERVAL = TenantScale.INTERVAL;
    private static final int WARM_UP_INTERVALS = 5;
    private static final int MEASURED_INTERVALS = Integer.getInteger("benchmark.hostile-intervals", 20);
    private static final Duration AGE_SAMPLING = Duration.ofMillis(500);
    private static final double TARGET = 1.2;

    /**
     * One run's figures, the ordinary namespaces' first, then what the machine and the hostile namespace did.
     *
     * @param searchMillis     the ordinary namespaces' refresh searches ({@code _msearch}), each from the proxy receiving
     *                         it to Elasticsearch's answer: the Elasticsearch side of their refresh time
     * @param refreshMillis    esmetrics_cache_refresh_seconds: from a refresh's start until its last batch is done, every
     *                         namespace's (the hostile one's included)
     * @param ageMeanSeconds   esmetrics_value_age_seconds of queue_length and request_rate (the oldest value of all the
     *                         ordinary namespaces), sampled every 500 ms
     */
    record Run(double searchesPerInterval, double searchMillis, double refreshMillis, double overruns, Latencies polls,
            double ageMeanSeconds, double ageMaxSeconds, long failedPolls, double hostileSearchesPerInterval,
            double queryMillisPerInterval, double elasticsearchCpu, double adapterCpu, double machineBusy,
            String hostilePolls) {
    }

    static HostileTenant run(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy) throws Exception {
        Path dir = Files.createTempDirectory("es-metrics-adapter-hostile-tenant-");
        // The ordinary namespaces' events keep arriving: request_rate's 1m window would otherwise empty during a run.
        ScheduledExecutorService feeder = EventFeed.start("ordinary-events", Duration.ZERO, Duration.ofSeconds(10),
                () -> TenantScale.load(elasticsearch, NAMESPACES));
        try (ControlPlane controlPlane = ControlPlane.start(Duration.ofSeconds(15))) {
            Path kubeconfig = installCustomResources(controlPlane, dir);
            System.out.println("-- quiet: " + NAMESPACES + " ordinary namespaces alone");
            Run quiet = measure(elasticsearch, proxy, kubeconfig, false);
            System.out.println(quiet);
            HostileNamespace.load(elasticsearch);
            HostileNamespace.declare(controlPlane.kubectl(), dir);
            System.out.println("-- hostile: the same beside namespace " + HostileNamespace.NAME);
            Run hostile = measure(elasticsearch, proxy, kubeconfig, true);
            System.out.println(hostile);
            return new HostileTenant(quiet, hostile);
        } finally {
            feeder.shutdownNow();
            WorkDirectories.delete(dir);
        }
    }

    /**
     * The CRD and the adapter's ClusterRole ({@code k8s/crd}), and a kubeconfig with a token of the adapter's service
     * account: the permissions the manifests grant it. Its context names no namespace, so the adapter writes statuses
     * as the only writer, without a Lease.
     */
    private static Path installCustomResources(ControlPlane controlPlane, Path dir) throws Exception {
        Kubectl kubectl = controlPlane.kubectl();
        kubectl.run("apply", "--server-side", "-k", "k8s/crd").requireSuccess();
        kubectl.run("wait", "--for=condition=Established", "--timeout=50s",
                "customresourcedefinition/elasticsearchmetrics.esmetrics.io").requireSuccess();
        kubectl.run("create", "namespace", AggregatedAdapter.NAMESPACE).requireSuccess();
        kubectl.run("create", "serviceaccount", "es-metrics-adapter", "-n", AggregatedAdapter.NAMESPACE).requireSuccess();
        String token = kubectl.run("create", "token", "es-metrics-adapter", "-n", AggregatedAdapter.NAMESPACE,
                "--duration=2h").requireSuccess().stdout().strip();
        return Kubectl.configure(Files.createDirectories(dir.resolve("adapter")), controlPlane.server(),
                Map.of("certificate-authority", controlPlane.clusterCa().certFile().toString()), Map.of("token", token))
                .kubeconfig();
    }

    private static Run measure(ElasticsearchProcess elasticsearch, ElasticsearchProxy proxy, Path kubeconfig,
            boolean withHostile) throws Exception {
        List<String> options = new ArrayList<>(TenantScale.DEPLOYMENT_JVM);
        options.addAll(List.of("-Dadapter.cache.refresh-interval=" + INTERVAL.toSeconds() + "s",
                "-Dadapter.cache.min-query-interval=1s", "-Dadapter.custom-resources.enabled=true"));
        try (AdapterProcess adapter = AdapterProcess.start(proxy.hostAndPort(), options,
                        Map.of("KUBECONFIG", kubeconfig.toString()));
                HostileNamespace hostile = withHostile ? HostileNamespace.startPolling(adapter, INTERVAL) : null;
                HpaControllerWorkers workers = HpaControllerWorkers.start(adapter, NAMESPACES, INTERVAL)) {
            Thread.sleep(INTERVAL.toMillis() * WARM_UP_INTERVALS);
            workers.measure();
            SearchStats statsBefore = SearchStats.of(elasticsearch);
            long searchesBefore = proxy.searchBodiesMentioning("tenant-");
            long hostileBefore = proxy.searchBodiesMentioning(HostileNamespace.DATASET);
            TimedSearches timedBefore = proxy.timedSearchesMentioning("tenant-");
            double refreshSum = adapter.meter("esmetrics_cache_refresh_seconds_sum");
            double refreshCount = adapter.meter("esmetrics_cache_refresh_seconds_count");
            double overrunsBefore = adapter.meter("esmetrics_cache_refresh_overruns_total");
            double elasticsearchCpu = elasticsearchCpuSeconds(elasticsearch);
            double adapterCpu = adapter.cpuSeconds();
            long[] machine = machineTicks();

            double ageSum = 0;
            double ageMax = 0;
            int samples = 0;
            long end = System.nanoTime() + INTERVAL.toNanos() * MEASURED_INTERVALS;
            while (System.nanoTime() < end) {
                double age = ordinaryValueAge(adapter);
                ageSum += age;
                ageMax = Math.max(ageMax, age);
                samples++;
                Thread.sleep(AGE_SAMPLING.toMillis());
            }

            SearchStats stats = SearchStats.of(elasticsearch).minus(statsBefore);
            TimedSearches timed = proxy.timedSearchesMentioning("tenant-").minus(timedBefore);
            double refreshes = adapter.meter("esmetrics_cache_refresh_seconds_count") - refreshCount;
            long[] machineAfter = machineTicks();
            Run run = new Run(
                    (proxy.searchBodiesMentioning("tenant-") - searchesBefore) / (double) MEASURED_INTERVALS,
                    timed.requests() == 0 ? Double.NaN : timed.seconds() / timed.requests() * 1000,
                    refreshes == 0 ? Double.NaN
                            : (adapter.meter("esmetrics_cache_refresh_seconds_sum") - refreshSum) / refreshes * 1000,
                    adapter.meter("esmetrics_cache_refresh_overruns_total") - overrunsBefore,
                    workers.latencies(), ageSum / samples, ageMax, workers.failed(),
                    (proxy.searchBodiesMentioning(HostileNamespace.DATASET) - hostileBefore) / (double) MEASURED_INTERVALS,
                    stats.queryMillis() / (double) MEASURED_INTERVALS,
                    (elasticsearchCpuSeconds(elasticsearch) - elasticsearchCpu) / MEASURED_INTERVALS,
                    (adapter.cpuSeconds() - adapterCpu) / MEASURED_INTERVALS,
                    (double) (machineAfter[0] - machine[0]) / (machineAfter[1] - machine[1]),
                    hostile == null ? "" : hostile.polls());
            workers.close();
            return run;
        }
    }

    /** The oldest value of the ordinary namespaces' two metrics, in seconds; the hostile ones have other names. */
    private static double ordinaryValueAge(AdapterProcess adapter) throws IOException, InterruptedException {
        double oldest = 0;
        for (String line : adapter.meters().split("\n")) {
            if (line.startsWith("esmetrics_value_age_seconds{")
                    && (line.contains("metric=\"queue_length\"") || line.contains("metric=\"request_rate\""))) {
                oldest = Math.max(oldest, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return oldest;
    }

    private static double elasticsearchCpuSeconds(ElasticsearchProcess elasticsearch) {
        double millis = 0;
        for (JsonNode node : elasticsearch.request("GET", "/_nodes/stats/process", null).path("nodes")) {
            millis += node.at("/process/cpu/total_in_millis").asDouble();
        }
        return millis / 1000;
    }

    /** The machine's busy and total CPU ticks since boot, all cores ({@code /proc/stat}). */
    private static long[] machineTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length; i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
        return new long[] {total - idle, total};
    }

    @Override
    public String toString() {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%d ordinary namespaces; %d refresh intervals of %d s measured; hostile namespace: 50 ElasticsearchMetrics"
                        + " × 5 labels × 9,900 series, window 1h, ingestLag 5m, staleness 1h%n"
                        + "%-48s %10s %10s %8s  %s%n", NAMESPACES, MEASURED_INTERVALS, INTERVAL.toSeconds(),
                "ordinary namespaces", "quiet", "hostile", "ratio", "within 20%"));
        row(table, "refresh searches, ms each (ES side)", quiet.searchMillis(), hostile.searchMillis(), true);
        row(table, "searches per interval", quiet.searchesPerInterval(), hostile.searchesPerInterval(), true);
        row(table, "poll p50, ms", quiet.polls().percentileMillis(50), hostile.polls().percentileMillis(50), true);
        row(table, "poll p99, ms", quiet.polls().percentileMillis(99), hostile.polls().percentileMillis(99), true);
        row(table, "values' age, mean s", quiet.ageMeanSeconds(), hostile.ageMeanSeconds(), true);
        row(table, "values' age, max s", quiet.ageMaxSeconds(), hostile.ageMaxSeconds(), true);
        table.append("context (not part of the target)\n");
        row(table, "failed ordinary polls", quiet.failedPolls(), hostile.failedPolls(), false);
        row(table, "whole refresh (every lane), ms", quiet.refreshMillis(), hostile.refreshMillis(), false);
        row(table, "refresh overruns", quiet.overruns(), hostile.overruns(), false);
        row(table, "hostile searches per interval", quiet.hostileSearchesPerInterval(), hostile.hostileSearchesPerInterval(), false);
        row(table, "ES query time per interval, ms", quiet.queryMillisPerInterval(), hostile.queryMillisPerInterval(), false);
        row(table, "ES CPU per interval, s", quiet.elasticsearchCpu(), hostile.elasticsearchCpu(), false);
        row(table, "adapter CPU per interval, s", quiet.adapterCpu(), hostile.adapterCpu(), false);
        row(table, "machine busy, share of all cores", quiet.machineBusy(), hostile.machineBusy(), false);
        table.append("ordinary polls: quiet ").append(quiet.polls()).append("; hostile ").append(hostile.polls()).append('\n');
        table.append("hostile namespace's own polls: ").append(hostile.hostilePolls()).append('\n');
        return table.toString();
    }

    /** Lower is better for every figure of the target: a ratio below 1 holds it. */
    private static void row(StringBuilder table, String name, double quiet, double hostile, boolean target) {
        double ratio = hostile / quiet;
        table.append(String.format(Locale.ROOT, "%-48s %10.2f %10.2f %8s  %s%n", name, quiet, hostile,
                Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f", ratio) : "-",
                target ? (ratio <= TARGET ? "yes" : "NO") : ""));
    }
}

package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NetworkPolicies let through the traffic the stack needs, and no more on the adapter's plain-HTTP port,
 * Logstash's ports and Elasticsearch's. Evaluated here as the API defines them: a pod selected by a policy of a
 * direction accepts only what one of those policies' rules allows.
 */
class NetworkPolicyTest {

    /** A pod as policies see it. */
    private record Pod(String namespace, Map<String, String> labels) {
    }

    private static final Pod ADAPTER = pod(Manifests.get(Deployment.class, "es-metrics-adapter", "es-metrics-adapter").getSpec().getTemplate(), "es-metrics-adapter");
    private static final Pod ELASTICSEARCH_DATA = pod(Manifests.get(StatefulSet.class, "elastic", "elasticsearch-data").getSpec().getTemplate(), "elastic");
    private static final Pod ELASTICSEARCH_MASTER = pod(Manifests.get(StatefulSet.class, "elastic", "elasticsearch-master").getSpec().getTemplate(), "elastic");
    private static final Pod LOGSTASH = pod(Manifests.get(Deployment.class, "elastic", "logstash").getSpec().getTemplate(), "elastic");
    private static final Pod FILEBEAT = pod(Manifests.get(DaemonSet.class, "filebeat", "filebeat").getSpec().getTemplate(), "filebeat");
    private static final Pod STRANGER = new Pod("ai-services", Map.of("app.kubernetes.io/name", "chat"));

    @Test
    void adapterReachesElasticsearchOverHttps() {
        assertThat(allowed(ADAPTER, ELASTICSEARCH_DATA, 9200)).isTrue();
    }

    @Test
    void logstashReachesElasticsearchOverHttps() {
        assertThat(allowed(LOGSTASH, ELASTICSEARCH_DATA, 9200)).isTrue();
    }

    /** Events reach Logstash from Filebeat only, never straight from a pod that could claim to be anyone. */
    @Test
    void onlyFilebeatReachesLogstashsBeatsPort() {
        Pod filebeatLookalike = new Pod("ai-services", FILEBEAT.labels());
        Pod otherPodOfFilebeatsNamespace = new Pod("filebeat", Map.of("app.kubernetes.io/name", "debug"));

        assertThat(allowed(FILEBEAT, LOGSTASH, 5044)).isTrue();
        assertThat(allowed(STRANGER, LOGSTASH, 5044)).isFalse();
        assertThat(allowed(filebeatLookalike, LOGSTASH, 5044)).isFalse();
        assertThat(allowed(otherPodOfFilebeatsNamespace, LOGSTASH, 5044)).isFalse();
        assertThat(allowed(ADAPTER, LOGSTASH, 5044)).isFalse();
    }

    @Test
    void nobodyReachesLogstashsApiPort() {
        assertThat(allowed(FILEBEAT, LOGSTASH, 9600)).isFalse();
        assertThat(allowed(STRANGER, LOGSTASH, 9600)).isFalse();
        assertThat(allowed(ELASTICSEARCH_DATA, LOGSTASH, 9600)).isFalse();
    }

    /** Of the pods that handle events, only Logstash, whose user may add documents, reaches Elasticsearch. */
    @Test
    void eventsReachElasticsearchThroughLogstashOnly() {
        assertThat(allowed(FILEBEAT, ELASTICSEARCH_DATA, 9200)).isFalse();
        assertThat(allowed(STRANGER, ELASTICSEARCH_DATA, 9200)).isFalse();
        assertThat(allowed(LOGSTASH, ELASTICSEARCH_DATA, 9200)).isTrue();
    }

    @Test
    void elasticsearchNodesReachEachOtherOnTheTransportPortAndNobodyElseDoes() {
        assertThat(allowed(ELASTICSEARCH_DATA, ELASTICSEARCH_MASTER, 9300)).isTrue();
        assertThat(allowed(ELASTICSEARCH_MASTER, ELASTICSEARCH_DATA, 9300)).isTrue();
        assertThat(allowed(LOGSTASH, ELASTICSEARCH_DATA, 9300)).isFalse();
        assertThat(allowed(STRANGER, ELASTICSEARCH_DATA, 9200)).isFalse();
    }

    @Test
    void anyoneReachesTheServingPortButOnlyMonitoringTheMetricsPort() {
        Pod apiServerLike = new Pod("kube-system", Map.of("component", "kube-apiserver"));
        Pod prometheus = new Pod("monitoring", Map.of("app.kubernetes.io/name", "prometheus"));

        assertThat(allowed(apiServerLike, ADAPTER, 6443)).isTrue();
        assertThat(allowed(prometheus, ADAPTER, 9090)).isTrue();
        assertThat(allowed(STRANGER, ADAPTER, 9090)).isFalse();
    }

    /**
     * The API server's rule: any address by default (documented: no default can name it), only the addresses of
     * components/api-server-address with it, and the other rules unchanged.
     */
    @Test
    void apiServerEgressIsAnyAddressUnlessTheComponentNamesIt(@TempDir Path dir) {
        NetworkPolicy shipped = Manifests.get(NetworkPolicy.class, "es-metrics-adapter", "es-metrics-adapter");
        NetworkPolicy narrowed = Manifests.stackWith(dir, "api-server-address").stream()
                .filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast)
                .filter(policy -> policy.getMetadata().getName().equals("es-metrics-adapter")).findFirst().orElseThrow();

        NetworkPolicyEgressRule apiServer = apiServerRule(shipped);
        assertThat(apiServer.getTo()).as("peers of the shipped rule: any address").isNullOrEmpty();
        NetworkPolicyEgressRule narrowedRule = apiServerRule(narrowed);
        assertThat(narrowedRule.getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getIpBlock().getCidr()).isEqualTo("192.0.2.10/32");
            assertThat(peer.getNamespaceSelector()).isNull();
            assertThat(peer.getPodSelector()).isNull();
        });
        assertThat(narrowed.getSpec().getEgress()).hasSameSizeAs(shipped.getSpec().getEgress());
        for (int i = 0; i < shipped.getSpec().getEgress().size(); i++) {
            if (shipped.getSpec().getEgress().get(i) != apiServer) {
                assertThat(narrowed.getSpec().getEgress().get(i)).isEqualTo(shipped.getSpec().getEgress().get(i));
            }
        }
        assertThat(narrowed.getSpec().getIngress()).isEqualTo(shipped.getSpec().getIngress());
    }

    private static NetworkPolicyEgressRule apiServerRule(NetworkPolicy policy) {
        List<NetworkPolicyEgressRule> rules = policy.getSpec().getEgress().stream()
                .filter(rule -> rule.getPorts().stream().map(port -> port.getPort().getIntVal()).toList().equals(List.of(443, 6443)))
                .toList();
        assertThat(rules).as("the rules of ports 443 and 6443").hasSize(1);
        return rules.get(0);
    }

    private static boolean allowed(Pod from, Pod to, int port) {
        return ingressAllowed(from, to, port) && egressAllowed(from, to, port);
    }

    private static boolean ingressAllowed(Pod from, Pod to, int port) {
        List<NetworkPolicy> policies = selecting(to, "Ingress");
        return policies.isEmpty() || policies.stream().flatMap(policy -> policy.getSpec().getIngress().stream())
                .anyMatch(rule -> portsAllow(rule.getPorts(), port) && peersAllow(rule.getFrom(), from, to.namespace()));
    }

    private static boolean egressAllowed(Pod from, Pod to, int port) {
        List<NetworkPolicy> policies = selecting(from, "Egress");
        return policies.isEmpty() || policies.stream().flatMap(policy -> policy.getSpec().getEgress().stream())
                .anyMatch(rule -> portsAllow(rule.getPorts(), port) && peersAllow(rule.getTo(), to, from.namespace()));
    }

    private static List<NetworkPolicy> selecting(Pod pod, String direction) {
        return Manifests.all(NetworkPolicy.class).stream()
                .filter(policy -> policy.getMetadata().getNamespace().equals(pod.namespace()))
                .filter(policy -> policy.getSpec().getPolicyTypes().contains(direction))
                .filter(policy -> matches(policy.getSpec().getPodSelector(), pod.labels()))
                .toList();
    }

    private static boolean portsAllow(List<NetworkPolicyPort> ports, int port) {
        return ports == null || ports.isEmpty() || ports.stream().anyMatch(allowed -> allowed.getPort().getIntVal() == port);
    }

    /** An empty peer list allows everyone; a peer without namespaceSelector means the policy's own namespace. */
    private static boolean peersAllow(List<NetworkPolicyPeer> peers, Pod peer, String policyNamespace) {
        return peers == null || peers.isEmpty() || peers.stream().anyMatch(allowed -> allowed.getIpBlock() == null
                && (allowed.getNamespaceSelector() == null ? peer.namespace().equals(policyNamespace)
                        : matches(allowed.getNamespaceSelector(), namespaceLabels(peer.namespace())))
                && (allowed.getPodSelector() == null || matches(allowed.getPodSelector(), peer.labels())));
    }

    private static Map<String, String> namespaceLabels(String namespace) {
        Map<String, String> labels = new HashMap<>(Manifests.find(Namespace.class, null, namespace)
                .map(found -> found.getMetadata().getLabels()).orElse(Map.of()));
        labels.put("kubernetes.io/metadata.name", namespace);
        return labels;
    }

    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            throw new UnsupportedOperationException("matchExpressions in NetworkPolicies: teach this test to evaluate them");
        }
        return selector.getMatchLabels() == null || labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    private static Pod pod(PodTemplateSpec template, String namespace) {
        return new Pod(namespace, template.getMetadata().getLabels());
    }
}

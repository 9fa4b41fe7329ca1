package io.esmetrics.adapter.apiservice;

import io.esmetrics.adapter.cluster.OwnNamespace;
import io.esmetrics.adapter.servingcert.SelfManagedCertificate;
import io.esmetrics.adapter.time.PeriodicWork;
import io.esmetrics.adapter.tls.ServingCertificateChanged;
import io.esmetrics.adapter.tls.ServingConfig;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.ServiceReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps {@code spec.caBundle} of the APIService {@code v1beta1.external.metrics.k8s.io} equal to the CAs of the
 * self-managed serving certificate, at once when they change and every {@code adapter.serving.reload-interval} (the
 * APIService is applied after the adapter is ready), and exactly: a CA someone else added beside the adapter's is
 * removed. Only while that APIService names this adapter's Service: one that names another (KEDA, the Datadog Cluster
 * Agent, prometheus-adapter) is left alone, which the log says once and {@code esmetrics_apiservice_state} shows.
 */
@ApplicationScoped
public class ApiServiceTrust {

    public static final String NAME = "v1beta1.external.metrics.k8s.io";

    /** What the adapter found of the APIService; the gauge's value is the ordinal. */
    public enum State { ABSENT, TRUSTED, OTHER_PROVIDER, NOT_PATCHED }

    private final ServingConfig config;
    private final Instance<KubernetesClient> client;
    private final OwnNamespace ownNamespace;
    private final SelfManagedCertificate certificate;
    private final AtomicReference<State> state = new AtomicReference<>(State.ABSENT);
    private final Counter overwritten;
    /** The caBundle this adapter last wrote: finding another one in its place means a second writer. */
    private volatile String written;
    /** Each situation is logged once while it lasts, not at every check. */
    private final Set<String> said = ConcurrentHashMap.newKeySet();
    private PeriodicWork ticker;

    ApiServiceTrust(ServingConfig config, Instance<KubernetesClient> client, OwnNamespace ownNamespace,
            SelfManagedCertificate certificate, MeterRegistry registry) {
        this.config = config;
        this.client = client;
        this.ownNamespace = ownNamespace;
        this.certificate = certificate;
        Gauge.builder("esmetrics.apiservice.state", () -> state.get().ordinal())
                .description("APIService " + NAME + ": 0 absent, 1 trusts this adapter's CAs, 2 names another provider "
                        + "(left alone), 3 names this adapter but its caBundle could not be set")
                .register(registry);
        overwritten = Counter.builder("esmetrics.apiservice.ca.bundle.overwritten")
                .description("Times the caBundle this adapter set was found replaced by another writer, and set back")
                .register(registry);
    }

    /** The first certificate starts the periodic checks; every new one is trusted at once. */
    synchronized void caBundleChanged(@Observes ServingCertificateChanged changed) {
        if (ticker == null) {
            ticker = PeriodicWork.start("apiservice-ca-bundle", "checking the APIService's caBundle", config.reloadInterval(),
                    config.reloadInterval(), () -> certificate.current().ifPresent(current -> syncSafely(current.caBundle())));
        }
        syncSafely(changed.caBundle());
    }

    void stop(@Observes ShutdownEvent event) {
        if (ticker != null) {
            ticker.close();
        }
    }

    State state() {
        return state.get();
    }

    private void syncSafely(String caBundle) {
        try {
            sync(caBundle);
        } catch (RuntimeException e) {
            sayOnce("failed:" + e.getMessage(), () -> Log.warnf("Cannot check APIService %s, retrying: %s", NAME, e.getMessage()));
        }
    }

    void sync(String caBundle) {
        APIService apiService = client.get().resources(APIService.class).withName(NAME).get();
        if (apiService == null) {
            become(State.ABSENT, "absent", () -> Log.infof("APIService %s does not exist yet: its caBundle is set once it is "
                    + "applied (kubectl apply -f apiservice.yaml)", NAME));
            return;
        }
        ServiceReference service = apiService.getSpec().getService();
        String ownService = config.serviceName();
        String ownServiceNamespace = config.serviceNamespace().or(ownNamespace::get).orElse("");
        if (service == null || !ownService.equals(service.getName()) || !ownServiceNamespace.equals(service.getNamespace())) {
            String owner = service == null ? "no Service (a local API)" : service.getNamespace() + "/" + service.getName();
            become(State.OTHER_PROVIDER, "owner:" + owner, () -> Log.warnf("APIService %s names %s, not this adapter's Service "
                    + "%s/%s: another external metrics provider serves it, and this adapter leaves it alone. To make this "
                    + "adapter the provider, see docs/coexistence.md, \"Who owns the APIService?\"", NAME, owner,
                    ownServiceNamespace, ownService));
            return;
        }
        if (Boolean.TRUE.equals(apiService.getSpec().getInsecureSkipTLSVerify())) {
            become(State.NOT_PATCHED, "insecure", () -> Log.warnf("APIService %s has insecureSkipTLSVerify: true, which Kubernetes "
                    + "allows only without a caBundle: left as it is. Remove it to have the adapter verified", NAME));
            return;
        }
        String wanted = Base64.getEncoder().encodeToString(caBundle.getBytes(StandardCharsets.US_ASCII));
        if (wanted.equals(apiService.getSpec().getCaBundle())) {
            become(State.TRUSTED, "trusted", () -> Log.infof("APIService %s trusts this adapter's CAs", NAME));
            return;
        }
        Set<String> ours = certificates(caBundle);
        Set<String> found = certificates(decoded(apiService.getSpec().getCaBundle()));
        boolean superset = found.containsAll(ours) && found.size() > ours.size();
        if (superset && !found.equals(certificates(decoded(written)))
                && certificate.storedCaBundle().map(ApiServiceTrust::certificates).filter(found::equals).isPresent()) {
            // Another replica read a rotated Secret first: its bundle is ours plus the new CA, exactly what the Secret
            // holds now (verified). This one follows when it reads the Secret again, instead of setting the older bundle
            // back. Any other superset is replaced: a CA someone added beside ours would be trusted for this API.
            return;
        }
        if (wanted.equals(written) && !found.isEmpty() && (superset || Collections.disjoint(found, ours))) {
            // Not an APIService applied anew (empty), not a peer's rotation (a superset the Secret holds): a second
            // writer, whether it replaced our CAs or added one beside them.
            overwritten.increment();
            sayOnce("overwritten", () -> Log.warnf("The caBundle of APIService %s, set by this adapter, was replaced by another "
                    + "writer: an injector (cert-manager's cainjector annotation, OpenShift's inject-cabundle annotation) or the "
                    + "provider that registered it before (KEDA's operator keeps its own CA there). The adapter sets it back, and "
                    + "while both write, the APIService flips between available and not. Remove the other writer "
                    + "(docs/deploying.md, \"One writer of caBundle\")", NAME));
        }
        try {
            client.get().resources(APIService.class).withName(NAME).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"caBundle\":\"" + wanted + "\"}}");
            written = wanted;
            int cas = caBundle.split("BEGIN CERTIFICATE").length - 1;
            said.remove("trusted");
            become(State.TRUSTED, "trusted", () -> Log.infof("Set the caBundle of APIService %s to this adapter's %d CA(s)", NAME, cas));
        } catch (KubernetesClientException e) {
            become(State.NOT_PATCHED, "patch:" + e.getCode(), () -> Log.warnf("Cannot set the caBundle of APIService %s (%d): %s. "
                    + "The adapter's ClusterRole must allow get and patch on it", NAME, e.getCode(), e.getMessage()));
        }
    }

    /** The certificates of a PEM bundle, each as its Base64 body: the same CA compares equal however it is wrapped. */
    private static Set<String> certificates(String pem) {
        Set<String> certificates = new HashSet<>();
        for (String block : pem.split("-----END CERTIFICATE-----")) {
            int begin = block.indexOf("-----BEGIN CERTIFICATE-----");
            if (begin >= 0) {
                certificates.add(block.substring(begin + "-----BEGIN CERTIFICATE-----".length()).replaceAll("\\s", ""));
            }
        }
        return certificates;
    }

    private static String decoded(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** A new state is said once; its message again only after another state was. */
    private void become(State next, String situation, Runnable say) {
        if (state.getAndSet(next) != next) {
            said.clear();
        }
        sayOnce(situation, say);
    }

    private void sayOnce(String situation, Runnable say) {
        if (said.add(situation)) {
            say.run();
        }
    }
}

package io.esmetrics.adapter.servingcert;

import io.esmetrics.adapter.cluster.OwnNamespace;
import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.time.PeriodicWork;
import io.esmetrics.adapter.tls.ServingCertificateChanged;
import io.esmetrics.adapter.tls.ServingCertificateSource;
import io.esmetrics.adapter.tls.ServingConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The self-managed serving certificate ({@code adapter.serving.self-managed}): one Secret in the adapter's namespace
 * holds the CA(s) and the serving certificate of every replica. Each replica reads it every
 * {@code adapter.serving.reload-interval}, creates it when absent (a lost create race reads the winner's), renews
 * what {@link Rotation} says is due with an update conditional on the version it read (a lost race again reads the
 * winner's), and announces what it serves ({@link ServingCertificateChanged}).
 */
@ApplicationScoped
public class SelfManagedCertificate implements ServingCertificateSource {

    private final ServingConfig config;
    private final Supplier<KubernetesClient> client;
    private final OwnNamespace ownNamespace;
    private final Consumer<ServingCertificateChanged> changed;
    private final Clock clock;
    private final AtomicReference<ServingSecret> served = new AtomicReference<>();
    private volatile Optional<String> namespace = Optional.empty();
    private RotationPolicy policy;
    private PeriodicWork ticker;

    @Inject
    SelfManagedCertificate(ServingConfig config, Instance<KubernetesClient> client, OwnNamespace ownNamespace,
            Event<ServingCertificateChanged> changed, Clock clock) {
        this(config, client::get, ownNamespace, changed::fire, clock);
    }

    /** @param changed told of every new certificate: the HTTPS listener and the APIService's caBundle, through CDI */
    SelfManagedCertificate(ServingConfig config, Supplier<KubernetesClient> client, OwnNamespace ownNamespace,
            Consumer<ServingCertificateChanged> changed, Clock clock) {
        this.config = config;
        this.client = client;
        this.ownNamespace = ownNamespace;
        this.changed = changed;
        this.clock = clock;
    }

    /**
     * Starts managing the certificate and answers the one to serve first: the Secret's, when the API server answers
     * now; empty otherwise (no namespace known, or no answer), and the caller serves a stop-gap until the Secret's
     * arrives in a {@link ServingCertificateChanged}. Never fails: serving must start whatever the API server does.
     */
    @Override
    public synchronized Optional<ServingCertificateChanged> start() {
        namespace = ownNamespace.get();
        if (namespace.isEmpty()) {
            Log.warnf("adapter.serving.self-managed is on, but the adapter's namespace is unknown (not in a pod, no %s, no "
                    + "namespace in the kubeconfig context): no self-managed certificate, a generated self-signed one is "
                    + "served instead. Set %s to turn it on", OwnNamespace.PROPERTY, OwnNamespace.PROPERTY);
            return Optional.empty();
        }
        policy = new RotationPolicy(config.caLifetime(), config.caRenewBefore(), config.certificateLifetime(),
                config.certificateRenewBefore(), config.caTrustDelay(), dnsNames(namespace.get())).validated();
        Log.infof("Self-managed serving certificate for %s, kept in Secret %s/%s", policy.dnsNames(), namespace.get(),
                config.secretName());
        boolean ready = checkSafely();
        ticker = PeriodicWork.start("serving-certificate", "checking the serving certificate", config.reloadInterval(),
                config.reloadInterval(), this::checkSafely);
        return ready ? Optional.of(event(served.get())) : Optional.empty();
    }

    void stop(@Observes ShutdownEvent event) {
        if (ticker != null) {
            ticker.close();
        }
    }

    /** What is served now, once the Secret has been read. */
    public Optional<ServingCertificateChanged> current() {
        return Optional.ofNullable(served.get()).map(SelfManagedCertificate::event);
    }

    /** The Service's names the certificate is for, as the aggregator and in-cluster clients call it. */
    List<String> dnsNames(String ownNamespace) {
        String service = config.serviceName();
        String serviceNamespace = config.serviceNamespace().orElse(ownNamespace);
        return List.of(service + "." + serviceNamespace + ".svc", service, service + "." + serviceNamespace,
                service + "." + serviceNamespace + ".svc." + config.clusterDomain());
    }

    private boolean checkSafely() {
        try {
            check();
            return served.get() != null;
        } catch (RuntimeException e) {
            Log.warnf("Self-managed serving certificate not checked, retrying in %s: %s",
                    KubernetesDuration.format(config.reloadInterval()), e.getMessage());
            return false;
        }
    }

    /** Reads the Secret, renews or creates what is due, and serves what it then holds. */
    void check() {
        Secret secret = secrets().withName(config.secretName()).get();
        Optional<ServingSecret> current = readable(secret);
        Optional<Rotation.Change> change = Rotation.plan(current, clock.instant(), policy);
        if (change.isPresent()) {
            Optional<Secret> written = write(secret, change.get());
            if (written.isPresent()) {
                Log.infof("Serving certificate in Secret %s/%s: %s", namespace.get(), config.secretName(), change.get().reason());
                current = Optional.of(change.get().next());
            } else {
                // Another replica wrote first: serve what it wrote.
                current = readable(secrets().withName(config.secretName()).get());
            }
        }
        current.ifPresent(this::serve);
    }

    private Optional<ServingSecret> readable(Secret secret) {
        if (secret == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ServingSecret.parse(secret.getData()));
        } catch (IllegalArgumentException e) {
            Log.warnf("Secret %s/%s holds no usable certificate (%s): it is replaced", namespace.get(), config.secretName(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Creates or updates the Secret; empty when another replica changed it first (409), so nothing was written. */
    private Optional<Secret> write(Secret existing, Rotation.Change change) {
        try {
            if (existing == null) {
                return Optional.of(secrets().resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(config.secretName())
                        .withNamespace(namespace.get())
                        .addToLabels("app.kubernetes.io/name", "es-metrics-adapter")
                        .addToLabels("app.kubernetes.io/component", "serving-certificate")
                        .addToLabels("app.kubernetes.io/managed-by", "es-metrics-adapter")
                        .endMetadata()
                        .withType("kubernetes.io/tls")
                        .withData(change.next().data())
                        .build()).create());
            }
            Secret updated = new SecretBuilder(existing).withData(change.next().data()).build();
            // Conditional on the version read: a replica that renewed meanwhile wins, and this one reads its work.
            return Optional.of(secrets().resource(updated).update());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void serve(ServingSecret secret) {
        ServingSecret before = served.getAndSet(secret);
        if (before == null || !before.data().equals(secret.data())) {
            changed.accept(event(secret));
        }
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Secret, io.fabric8.kubernetes.api.model.SecretList,
            io.fabric8.kubernetes.client.dsl.Resource<Secret>> secrets() {
        return client.get().secrets().inNamespace(namespace.get());
    }

    private static ServingCertificateChanged event(ServingSecret secret) {
        return new ServingCertificateChanged(secret.certificatePem(), secret.keyPem(), secret.caBundle());
    }
}

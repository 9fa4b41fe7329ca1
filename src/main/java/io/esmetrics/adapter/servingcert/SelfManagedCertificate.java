package io.esmetrics.adapter.servingcert;

import io.esmetrics.adapter.cluster.OwnNamespace;
import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.servingcert.ServingSecretCheck.Refused;
import io.esmetrics.adapter.time.PeriodicWork;
import io.esmetrics.adapter.tls.ServingCertificateChanged;
import io.esmetrics.adapter.tls.ServingCertificateSource;
import io.esmetrics.adapter.tls.ServingConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
 * <p>
 * Whatever it reads is verified before it is adopted ({@link ServingSecretCheck}): a Secret whose content does not
 * hang together (created first by someone else, or changed since) is refused, logged and counted
 * ({@code esmetrics_serving_certificate_refused_total}), the last good pair stays served, and the Secret is written
 * back to that pair (or, with none yet, to a new CA and certificate), so the caBundle never takes a CA from it.
 */
@ApplicationScoped
public class SelfManagedCertificate implements ServingCertificateSource {

    private final ServingConfig config;
    private final Supplier<KubernetesClient> client;
    private final OwnNamespace ownNamespace;
    private final Consumer<ServingCertificateChanged> changed;
    private final Clock clock;
    private final MeterRegistry registry;
    private final AtomicReference<ServingSecret> served = new AtomicReference<>();
    private volatile Optional<String> namespace = Optional.empty();
    private RotationPolicy policy;
    private PeriodicWork ticker;

    @Inject
    SelfManagedCertificate(ServingConfig config, Instance<KubernetesClient> client, OwnNamespace ownNamespace,
            Event<ServingCertificateChanged> changed, Clock clock, MeterRegistry registry) {
        this(config, client::get, ownNamespace, changed::fire, clock, registry);
    }

    /** @param changed told of every new certificate: the HTTPS listener and the APIService's caBundle, through CDI */
    SelfManagedCertificate(ServingConfig config, Supplier<KubernetesClient> client, OwnNamespace ownNamespace,
            Consumer<ServingCertificateChanged> changed, Clock clock, MeterRegistry registry) {
        this.config = config;
        this.client = client;
        this.ownNamespace = ownNamespace;
        this.changed = changed;
        this.clock = clock;
        this.registry = registry;
        for (ServingSecretCheck.Refusal reason : ServingSecretCheck.Refusal.values()) {
            refusals(reason);
        }
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

    /**
     * Reads the Secret, renews or creates what is due, and serves what it then holds. A refused Secret is planned from
     * the last good pair (none: from nothing) and written back even when nothing else is due.
     */
    void check() {
        Secret secret = secrets().withName(config.secretName()).get();
        Read read = read(secret);
        read.refused().ifPresent(refused -> refuse(refused, served.get() == null ? "it is replaced by a new CA and certificate"
                : "the last good pair stays served and is written back"));
        Optional<ServingSecret> current = read.refused().isPresent() ? Optional.ofNullable(served.get()) : read.adopted();
        Optional<Rotation.Change> change = Rotation.plan(current, clock.instant(), policy);
        if (change.isEmpty() && read.refused().isPresent()) {
            change = Optional.of(new Rotation.Change(current.orElseThrow(), "its refused content is replaced by the pair served"));
        }
        if (change.isPresent()) {
            Optional<Secret> written = write(secret, change.get());
            if (written.isPresent()) {
                Log.infof("Serving certificate in Secret %s/%s: %s", namespace.get(), config.secretName(), change.get().reason());
                current = Optional.of(change.get().next());
            } else {
                // Another replica wrote first: serve what it wrote, once verified.
                Read theirs = read(secrets().withName(config.secretName()).get());
                theirs.refused().ifPresent(refused -> refuse(refused, "the pair served stays"));
                current = theirs.adopted();
            }
        }
        current.ifPresent(this::serveIfServable);
    }

    /**
     * The CAs the Secret holds as stored, verified, without writing or serving anything: what a replica that read it
     * first may have put into the APIService's caBundle. Empty when absent or refused.
     */
    public Optional<String> storedCaBundle() {
        if (namespace.isEmpty()) {
            return Optional.empty();
        }
        return read(secrets().withName(config.secretName()).get()).adopted().map(ServingSecret::caBundle);
    }

    /** What the Secret holds: adopted, refused (and why), or neither (no Secret). */
    private record Read(Optional<ServingSecret> adopted, Optional<Refused> refused) {
    }

    private Read read(Secret secret) {
        if (secret == null) {
            return new Read(Optional.empty(), Optional.empty());
        }
        Optional<Refused> refused;
        try {
            ServingSecret parsed = ServingSecret.parse(secret.getData());
            refused = ServingSecretCheck.integrity(parsed);
            if (refused.isEmpty()) {
                return new Read(Optional.of(parsed), Optional.empty());
            }
        } catch (IllegalArgumentException e) {
            refused = Optional.of(new Refused(ServingSecretCheck.Refusal.UNREADABLE, e.getMessage()));
        }
        return new Read(Optional.empty(), refused);
    }

    private void refuse(Refused refused, String consequence) {
        refusals(refused.reason()).increment();
        Log.warnf("Secret %s/%s refused (%s): %s; %s", namespace.get(), config.secretName(), refused.reason().tag,
                refused.detail(), consequence);
    }

    private Counter refusals(ServingSecretCheck.Refusal reason) {
        return Counter.builder("esmetrics.serving.certificate.refused")
                .description("Times the content of the self-managed serving-certificate Secret was not adopted, by reason")
                .tag("reason", reason.tag)
                .register(registry);
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

    private void serveIfServable(ServingSecret secret) {
        Optional<Refused> refused = ServingSecretCheck.servable(secret, clock.instant(), policy.dnsNames());
        if (refused.isPresent()) {
            refuse(refused.get(), served.get() == null ? "nothing of it is served" : "the last good pair stays served");
            return;
        }
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

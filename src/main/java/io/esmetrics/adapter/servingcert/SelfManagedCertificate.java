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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The self-managed serving certificate ({@code adapter.serving.self-managed}): two Secrets in the adapter's namespace
 * hold the CA(s) and the serving certificate of every replica, the CA key in its own ({@code ca-secret-name}), apart
 * from the serving pair ({@code secret-name}). Each replica reads them every {@code adapter.serving.reload-interval},
 * creates them when absent (a lost create race reads the winner's), renews what {@link Rotation} says is due with
 * updates conditional on the versions it read (a lost race again reads the winner's), and announces what it serves
 * ({@link ServingCertificateChanged}).
 * <p>
 * Whatever it reads is verified before it is adopted ({@link ServingSecretCheck}): content that does not hang together
 * (created first by someone else, or changed since) is refused, logged and counted
 * ({@code esmetrics_serving_certificate_refused_total}), the last good pair stays served, and the Secrets are written
 * back to that pair (or, with none yet, to a new certificate of the CA Secret's CA when that holds up, else to a new CA
 * and certificate), so the caBundle never takes a CA from them.
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
        Log.infof("Self-managed serving certificate for %s, kept in Secret %s/%s (its CA in %s)", policy.dnsNames(), namespace.get(),
                config.secretName(), config.caSecretName());
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
     * Reads the Secrets, renews or creates what is due, and serves what they then hold. A refused content is planned
     * from the last good pair (none: from the CA Secret alone when it holds up, else from nothing) and written back
     * even when nothing else is due; so are Secrets that do not hold what the pair served says (the serving Secret
     * behind the CA Secret, or a serving Secret that still holds the CA key, as before the CA Secret existed).
     */
    void check() {
        Secret secret = secrets().withName(config.secretName()).get();
        Secret caSecret = secrets().withName(config.caSecretName()).get();
        Read read = read(secret, caSecret);
        Optional<ServingSecret> current = read.adopted();
        Optional<Rotation.Change> recovery = Optional.empty();
        if (read.refused().isPresent()) {
            current = Optional.ofNullable(served.get());
            if (current.isEmpty()) {
                recovery = reissued(caSecret);
            }
            refuse(read.refused().get(), current.isPresent() ? "the last good pair stays served and is written back"
                    : recovery.isPresent() ? "a serving certificate is issued anew by the CA of Secret " + config.caSecretName()
                    : "it is replaced by a new CA and certificate");
        }
        Optional<Rotation.Change> change = recovery.isPresent() ? recovery : Rotation.plan(current, clock.instant(), policy);
        if (change.isEmpty() && current.isPresent() && !holds(secret, caSecret, current.get())) {
            change = Optional.of(new Rotation.Change(current.get(), read.refused().isPresent()
                    ? "its refused content is replaced by the pair served"
                    : "the Secrets are brought in line with the CA Secret (the CA key is kept in " + config.caSecretName() + " alone)"));
        }
        if (change.isPresent()) {
            if (write(secret, caSecret, change.get())) {
                Log.infof("Serving certificate in Secrets %s/%s and %s: %s", namespace.get(), config.secretName(),
                        config.caSecretName(), change.get().reason());
                current = Optional.of(change.get().next());
            } else {
                // Another replica wrote first: serve what it wrote, once verified.
                Read theirs = read(secrets().withName(config.secretName()).get(), secrets().withName(config.caSecretName()).get());
                theirs.refused().ifPresent(refused -> refuse(refused, "the pair served stays"));
                current = theirs.adopted();
            }
        }
        current.ifPresent(this::serveIfServable);
    }

    /**
     * With no pair served yet and a serving Secret that cannot be adopted (deleted, say), a CA Secret that holds up
     * keeps its CA, which the caBundle trusts already: a new serving certificate of it, rather than a new CA.
     */
    private Optional<Rotation.Change> reissued(Secret caSecret) {
        if (caSecret == null) {
            return Optional.empty();
        }
        try {
            ServingSecret.CaPart ca = ServingSecret.parseCa(caSecret.getData());
            if (ServingSecretCheck.caIntegrity(ca).isPresent()) {
                return Optional.empty();
            }
            CertificateAuthority.Issued signing = new CertificateAuthority.Issued(ca.cas().get(0), ca.signingKey());
            if (!signing.notAfter().isAfter(clock.instant())) {
                return Optional.empty();
            }
            return Optional.of(new Rotation.Change(new ServingSecret(ca.cas(), ca.signingKey(), CertificateAuthority.newServingCertificate(
                    signing, policy.dnsNames(), clock.instant(), policy.certificateLifetime())),
                    "a new serving certificate of the CA in Secret " + config.caSecretName()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether the two Secrets hold exactly {@code pair}, each its part. */
    private static boolean holds(Secret secret, Secret caSecret, ServingSecret pair) {
        return secret != null && caSecret != null && pair.servingData().equals(secret.getData()) && pair.caData().equals(caSecret.getData());
    }

    /**
     * The CAs the Secrets hold as stored, verified, without writing or serving anything: what a replica that read them
     * first may have put into the APIService's caBundle. Empty when absent or refused.
     */
    public Optional<String> storedCaBundle() {
        if (namespace.isEmpty()) {
            return Optional.empty();
        }
        return read(secrets().withName(config.secretName()).get(), secrets().withName(config.caSecretName()).get()).adopted()
                .map(ServingSecret::caBundle);
    }

    /** What the Secrets hold: adopted, refused (and why), or neither (no Secret). */
    private record Read(Optional<ServingSecret> adopted, Optional<Refused> refused) {
    }

    /** With no CA Secret, the serving Secret as releases before it wrote it, with the CA key. */
    private Read read(Secret secret, Secret caSecret) {
        if (secret == null && caSecret == null) {
            return new Read(Optional.empty(), Optional.empty());
        }
        Optional<Refused> refused;
        try {
            ServingSecret parsed = ServingSecret.parse(secret == null ? null : secret.getData(),
                    caSecret == null ? null : caSecret.getData());
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
        Log.warnf("Secrets %s/%s and %s refused (%s): %s; %s", namespace.get(), config.secretName(), config.caSecretName(), refused.reason().tag,
                refused.detail(), consequence);
    }

    private Counter refusals(ServingSecretCheck.Refusal reason) {
        return Counter.builder("esmetrics.serving.certificate.refused")
                .description("Times the content of the self-managed serving-certificate Secret was not adopted, by reason")
                .tag("reason", reason.tag)
                .register(registry);
    }

    /**
     * Writes what differs: the CA Secret first (a reader between the two writes takes the CAs from it, and the serving
     * certificate it reads is one of them still), then the serving Secret. Each write is conditional on the version
     * read; false when another replica changed a Secret first (409), and nothing after that was written.
     */
    private boolean write(Secret secret, Secret caSecret, Rotation.Change change) {
        try {
            ServingSecret next = change.next();
            if (caSecret == null || !next.caData().equals(caSecret.getData())) {
                write(caSecret, config.caSecretName(), "Opaque", "certificate-authority", next.caData());
            }
            if (secret == null || !next.servingData().equals(secret.getData())) {
                write(secret, config.secretName(), "kubernetes.io/tls", "serving-certificate", next.servingData());
            }
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    private void write(Secret existing, String name, String type, String component, Map<String, String> data) {
        if (existing == null) {
            secrets().resource(new SecretBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace.get())
                    .addToLabels("app.kubernetes.io/name", "es-metrics-adapter")
                    .addToLabels("app.kubernetes.io/component", component)
                    .addToLabels("app.kubernetes.io/managed-by", "es-metrics-adapter")
                    .endMetadata()
                    .withType(type)
                    .withData(data)
                    .build()).create();
            return;
        }
        // Conditional on the version read: a replica that renewed meanwhile wins, and this one reads its work.
        secrets().resource(new SecretBuilder(existing).withData(data).build()).update();
    }

    private void serveIfServable(ServingSecret secret) {
        Optional<Refused> refused = ServingSecretCheck.servable(secret, clock.instant(), policy.dnsNames());
        if (refused.isPresent()) {
            refuse(refused.get(), served.get() == null ? "nothing of it is served" : "the last good pair stays served");
            return;
        }
        ServingSecret before = served.getAndSet(secret);
        if (before == null || !before.servingData().equals(secret.servingData()) || !before.caData().equals(secret.caData())) {
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

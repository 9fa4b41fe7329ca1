package io.esmetrics.adapter.servingcert;

import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.servingcert.CertificateAuthority.Issued;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * The next state of the self-managed Secret, decided from what it holds and the time alone, so that every replica
 * decides the same, and tests move time by hand. The order is what makes rotation invisible to clients:
 * <ol>
 * <li>a new CA joins the bundle {@code caRenewBefore} before the current one expires, while the serving
 *     certificate stays the old CA's;</li>
 * <li>certificates are signed by it only once it has been trusted for {@code caTrustDelay} (every replica has
 *     read the Secret and the APIService's caBundle holds it by then);</li>
 * <li>the old CA leaves the bundle when it expires, long after nothing it signed is served.</li>
 * </ol>
 */
final class Rotation {

    private static final String CA_NAME = "es-metrics-adapter-ca";

    /** A new content for the Secret, and why, for the log. */
    record Change(ServingSecret next, String reason) {
    }

    private Rotation() {
    }

    static Optional<Change> plan(Optional<ServingSecret> current, Instant now, RotationPolicy policy) {
        if (current.isEmpty()) {
            return Optional.of(new Change(fresh(now, policy), "no serving certificate yet: a new CA and certificate"));
        }
        ServingSecret secret = current.get();
        Issued signing = secret.signingCa();
        if (!signing.notAfter().isAfter(now)) {
            return Optional.of(new Change(fresh(now, policy), "the CA expired at " + signing.notAfter()
                    + ": a new CA and certificate (clients trust it once the caBundle holds it)"));
        }
        List<String> reasons = new ArrayList<>();
        List<X509Certificate> cas = new ArrayList<>(secret.cas().stream().filter(ca -> ca.getNotAfter().toInstant().isAfter(now)).toList());
        if (cas.size() < secret.cas().size()) {
            reasons.add("an expired CA leaves the bundle");
        }
        if (!signing.notAfter().isAfter(now.plus(policy.caRenewBefore()))) {
            Issued next = CertificateAuthority.newCa(CA_NAME, now, policy.caLifetime());
            cas.add(0, next.certificate());
            signing = next;
            reasons.add("the CA expires at " + secret.signingCa().notAfter() + ": a new CA joins the bundle, and signs the"
                    + " serving certificate once trusted for " + KubernetesDuration.format(policy.caTrustDelay()));
        }
        Issued serving = secret.serving();
        Optional<String> renewal = renewal(serving, signing, cas, now, policy);
        boolean trusted = !now.isBefore(signing.madeAt().plus(policy.caTrustDelay()));
        if (renewal.isPresent() && trusted) {
            serving = CertificateAuthority.newServingCertificate(signing, policy.dnsNames(), now, policy.certificateLifetime());
            reasons.add(renewal.get());
        }
        if (reasons.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Change(new ServingSecret(cas, signing.key(), serving), String.join("; ", reasons)));
    }

    private static Optional<String> renewal(Issued serving, Issued signing, List<X509Certificate> cas, Instant now,
            RotationPolicy policy) {
        if (!serving.notAfter().isAfter(now.plus(policy.certificateRenewBefore()))) {
            return Optional.of("the serving certificate expires at " + serving.notAfter() + ": renewed");
        }
        if (cas.stream().noneMatch(ca -> signedBy(serving.certificate(), ca.getPublicKey()))) {
            return Optional.of("the serving certificate's CA is no longer trusted: renewed");
        }
        if (!signedBy(serving.certificate(), signing.certificate().getPublicKey())) {
            return Optional.of("the serving certificate is now signed by the new CA");
        }
        if (!ServingSecretCheck.dnsNames(serving.certificate()).equals(new HashSet<>(policy.dnsNames()))) {
            return Optional.of("the serving certificate's names change to " + policy.dnsNames());
        }
        return Optional.empty();
    }

    private static ServingSecret fresh(Instant now, RotationPolicy policy) {
        Issued ca = CertificateAuthority.newCa(CA_NAME, now, policy.caLifetime());
        return new ServingSecret(List.of(ca.certificate()), ca.key(),
                CertificateAuthority.newServingCertificate(ca, policy.dnsNames(), now, policy.certificateLifetime()));
    }

    static boolean signedBy(X509Certificate certificate, PublicKey key) {
        try {
            certificate.verify(key);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}

package io.esmetrics.adapter.servingcert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.tls.ServingConfig;
import io.smallrye.config.WithDefault;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The self-managed certificate's life, second by second, with time moved by hand: whatever the step, what is served
 * is signed by a CA clients already trust, and a CA is trusted for the trust delay before it signs.
 */
class RotationTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final List<String> NAMES = List.of("es-metrics-adapter.es-metrics-adapter.svc", "es-metrics-adapter");
    /** CA 20 s (a new one 12 s before), certificates 8 s (renewed 5 s before), a new CA trusted 2 s before it signs. */
    private static final RotationPolicy POLICY = new RotationPolicy(Duration.ofSeconds(20), Duration.ofSeconds(12),
            Duration.ofSeconds(8), Duration.ofSeconds(5), Duration.ofSeconds(2), NAMES).validated();

    @Test
    void makesACaAndACertificateForTheServiceNamesWhenThereIsNone() throws Exception {
        ServingSecret made = Rotation.plan(Optional.empty(), T0, POLICY).orElseThrow().next();

        assertThat(made.cas()).hasSize(1);
        assertThat(made.cas().get(0).getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
        X509Certificate serving = made.serving().certificate();
        assertThat(Rotation.signedBy(serving, made.cas().get(0).getPublicKey())).isTrue();
        assertThat(serving.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(serving.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(serving.getSubjectAlternativeNames().stream().map(name -> (String) name.get(1)).toList()).containsExactlyInAnyOrderElementsOf(NAMES);
        assertThat(serving.getNotAfter().toInstant()).isEqualTo(T0.plusSeconds(8));
        assertThat(serving.getNotBefore().toInstant()).as("backdated for clock skew").isEqualTo(T0.minus(Duration.ofHours(1)));
    }

    @Test
    void changesNothingWhileNothingIsDue() {
        ServingSecret made = Rotation.plan(Optional.empty(), T0, POLICY).orElseThrow().next();

        assertThat(Rotation.plan(Optional.of(made), T0.plusSeconds(2), POLICY)).isEmpty();
    }

    /** Step by step over two CA lifetimes: the order of the rotation, and a served certificate always trusted. */
    @Test
    void rotatesTheCaWithAnOverlapAndSignsWithTheNewOneOnlyOnceTrusted() {
        ServingSecret secret = Rotation.plan(Optional.empty(), T0, POLICY).orElseThrow().next();
        X509Certificate firstCa = secret.cas().get(0);
        List<String> reasons = new ArrayList<>();
        Instant newCaJoined = null;
        for (int second = 1; second <= 40; second++) {
            Instant now = T0.plusSeconds(second);
            Optional<Rotation.Change> change = Rotation.plan(Optional.of(secret), now, POLICY);
            if (change.isPresent()) {
                reasons.add(second + ": " + change.get().reason());
                ServingSecret next = change.get().next();
                if (newCaJoined == null && next.cas().size() == 2) {
                    newCaJoined = now;
                    assertThat(next.cas().get(1)).as("the old CA stays in the bundle").isEqualTo(firstCa);
                    assertThat(next.serving()).as("still the old CA's certificate").isEqualTo(secret.serving());
                }
                secret = next;
            }
            X509Certificate served = secret.serving().certificate();
            assertThat(served.getNotAfter().toInstant()).as("valid at %ds", second).isAfter(now);
            assertThat(secret.cas()).as("served at %ds, trusted", second).anySatisfy(ca -> assertThat(Rotation.signedBy(served, ca.getPublicKey())).isTrue());
            assertThat(secret.cas()).as("no expired CA at %ds", second).allSatisfy(ca -> assertThat(ca.getNotAfter().toInstant()).isAfter(now));
            X509Certificate signer = secret.cas().stream().filter(ca -> Rotation.signedBy(served, ca.getPublicKey())).findFirst().orElseThrow();
            if (!signer.equals(firstCa)) {
                Instant trustedSince = signer.getNotBefore().toInstant().plus(CertificateAuthority.BACKDATE);
                Instant issued = served.getNotBefore().toInstant().plus(CertificateAuthority.BACKDATE);
                assertThat(issued).as("at %ds, signed by a CA trusted for %s before", second, POLICY.caTrustDelay())
                        .isAfterOrEqualTo(trustedSince.plus(POLICY.caTrustDelay()));
            }
        }
        assertThat(newCaJoined).as("a new CA joins 12 s before the first one expires").isEqualTo(T0.plusSeconds(8));
        assertThat(secret.cas()).doesNotContain(firstCa);
        // The certificate of 6 s was due at 9 s, but the new CA (8 s) is trusted only from 10 s: renewed then.
        assertThat(reasons).noneMatch(reason -> reason.startsWith("9: "));
        assertThat(reasons).anyMatch(reason -> reason.startsWith("10: "));
        assertThat(reasons).anyMatch(reason -> reason.startsWith("20: ") && reason.contains("an expired CA leaves the bundle"));
    }

    /**
     * The defaults of adapter.serving, over six years in steps of six hours: a CA lives two years (not five), and the
     * served certificate is always valid and signed by a CA the bundle has held for at least the trust delay.
     */
    @Test
    void rotatesTheCaEveryTwoYearsByDefaultAndAlwaysServesATrustedCertificate() throws Exception {
        RotationPolicy defaults = new RotationPolicy(byDefault("caLifetime"), byDefault("caRenewBefore"), byDefault("certificateLifetime"),
                byDefault("certificateRenewBefore"), byDefault("caTrustDelay"), NAMES).validated();
        ServingSecret secret = Rotation.plan(Optional.empty(), T0, defaults).orElseThrow().next();
        X509Certificate firstCa = secret.cas().get(0);
        Set<X509Certificate> cas = new LinkedHashSet<>(secret.cas());

        for (Instant now = T0; now.isBefore(T0.plus(Duration.ofDays(6 * 365))); now = now.plus(Duration.ofHours(6))) {
            secret = Rotation.plan(Optional.of(secret), now, defaults).map(Rotation.Change::next).orElse(secret);
            cas.addAll(secret.cas());
            X509Certificate served = secret.serving().certificate();
            Instant at = now;
            assertThat(served.getNotAfter().toInstant()).as("valid at %s", at).isAfter(at);
            X509Certificate signer = secret.cas().stream().filter(ca -> Rotation.signedBy(served, ca.getPublicKey())).findFirst()
                    .orElseThrow(() -> new AssertionError("served at " + at + " and signed by no CA of the bundle"));
            if (!signer.equals(firstCa)) {
                Instant issued = served.getNotBefore().toInstant().plus(CertificateAuthority.BACKDATE);
                Instant trustedSince = signer.getNotBefore().toInstant().plus(CertificateAuthority.BACKDATE);
                assertThat(issued).as("at %s, signed by a CA trusted for the trust delay before", at)
                        .isAfterOrEqualTo(trustedSince.plus(defaults.caTrustDelay()));
            }
        }

        assertThat(defaults.caLifetime()).isLessThanOrEqualTo(Duration.ofDays(2 * 365));
        assertThat(cas).as("a CA every two years, over six").hasSizeGreaterThanOrEqualTo(3);
        assertThat(cas).allSatisfy(ca -> assertThat(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()))
                .isLessThanOrEqualTo(Duration.ofDays(2 * 365).plus(CertificateAuthority.BACKDATE)));
    }

    /** A default of {@link ServingConfig} as written there ({@code 730d}, {@code 1h}). */
    private static Duration byDefault(String property) throws NoSuchMethodException {
        String value = ServingConfig.class.getMethod(property)
                .getAnnotation(WithDefault.class).value();
        long amount = Long.parseLong(value.substring(0, value.length() - 1));
        return switch (value.charAt(value.length() - 1)) {
            case 'd' -> Duration.ofDays(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException(property + " = " + value);
        };
    }

    @Test
    void startsAfreshWhenTheSecretHoldsNothingUsable() {
        assertThatThrownBy(() -> ServingSecret.parse(Map.of("tls.crt", "bm90IGEgY2VydGlmaWNhdGU="), null)).isInstanceOf(IllegalArgumentException.class);
        ServingSecret expired = Rotation.plan(Optional.empty(), T0, POLICY).orElseThrow().next();

        Rotation.Change change = Rotation.plan(Optional.of(expired), T0.plusSeconds(21), POLICY).orElseThrow();

        assertThat(change.reason()).contains("the CA expired");
        assertThat(change.next().cas()).doesNotContainAnyElementsOf(expired.cas());
    }

    @Test
    void readsBackWhatItWrites() {
        ServingSecret made = Rotation.plan(Optional.empty(), T0, POLICY).orElseThrow().next();

        ServingSecret read = ServingSecret.parse(made.servingData(), made.caData());

        assertThat(read.cas()).isEqualTo(made.cas());
        assertThat(read.serving().certificate()).isEqualTo(made.serving().certificate());
        assertThat(read.servingData()).isEqualTo(made.servingData()).doesNotContainKey("ca.key");
        assertThat(read.caData()).isEqualTo(made.caData()).containsOnlyKeys("ca.crt", "ca.key");
    }

    @Test
    void refusesDurationsThatCannotWorkTogether() {
        assertThatThrownBy(() -> new RotationPolicy(Duration.ofDays(365), Duration.ofDays(30), Duration.ofDays(90), Duration.ofHours(1),
                Duration.ofHours(2), NAMES).validated()).hasMessageContaining("certificate-renew-before must be longer than ca-trust-delay");
        assertThatThrownBy(() -> new RotationPolicy(Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(90), Duration.ofDays(10),
                Duration.ofHours(1), NAMES).validated()).hasMessageContaining("ca-lifetime must be longer than ca-renew-before");
    }
}

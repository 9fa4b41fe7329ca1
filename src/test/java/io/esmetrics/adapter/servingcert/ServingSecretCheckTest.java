package io.esmetrics.adapter.servingcert;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.servingcert.CertificateAuthority.Issued;
import io.esmetrics.adapter.servingcert.ServingSecretCheck.Refusal;
import io.esmetrics.adapter.servingcert.ServingSecretCheck.Refused;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a Secret must hold to be adopted: the forgeries someone who can create or change the Secret would try, each
 * refused for its own reason; and whatever the adapter itself writes, across a whole rotation, accepted.
 */
class ServingSecretCheckTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private static final List<String> NAMES = List.of("es-metrics-adapter.es-metrics-adapter.svc", "es-metrics-adapter");
    private static final RotationPolicy POLICY = new RotationPolicy(Duration.ofSeconds(20), Duration.ofSeconds(12),
            Duration.ofSeconds(8), Duration.ofSeconds(5), Duration.ofSeconds(2), NAMES).validated();

    private final Issued ca = CertificateAuthority.newCa("es-metrics-adapter-ca", T0, Duration.ofDays(30));
    private final Issued serving = CertificateAuthority.newServingCertificate(ca, NAMES, T0, Duration.ofDays(1));

    @Test
    void acceptsEverythingARotationWrites() {
        ServingSecret secret = Rotation.plan(Optional.empty(), T0, POLICY).orElseThrow().next();
        for (int second = 1; second <= 40; second++) {
            Instant now = T0.plusSeconds(second);
            secret = Rotation.plan(Optional.of(secret), now, POLICY).map(Rotation.Change::next).orElse(secret);

            assertThat(ServingSecretCheck.integrity(ServingSecret.parse(secret.servingData(), secret.caData()))).as("at %ds", second).isEmpty();
            assertThat(ServingSecretCheck.servable(secret, now, NAMES)).as("at %ds", second).isEmpty();
        }
    }

    @Test
    void refusesACertificateSignedByNoneOfTheCas() {
        Issued attackerCa = CertificateAuthority.newCa("es-metrics-adapter-ca", T0, Duration.ofDays(30));
        Issued attackerCertificate = CertificateAuthority.newServingCertificate(attackerCa, NAMES, T0, Duration.ofDays(1));

        Optional<Refused> refused = ServingSecretCheck.integrity(new ServingSecret(List.of(ca.certificate()), ca.key(), attackerCertificate));

        assertThat(refused).get().extracting(Refused::reason).isEqualTo(Refusal.NOT_SIGNED_BY_CA);
    }

    @Test
    void refusesAKeyThatBelongsToAnotherCertificate() {
        Issued other = CertificateAuthority.newServingCertificate(ca, NAMES, T0, Duration.ofDays(1));

        Optional<Refused> refused = ServingSecretCheck.integrity(
                new ServingSecret(List.of(ca.certificate()), ca.key(), new Issued(serving.certificate(), other.key())));

        assertThat(refused).get().extracting(Refused::reason).isEqualTo(Refusal.KEY_MISMATCH);
        assertThat(refused.get().detail()).doesNotContain("PRIVATE KEY").contains(serving.certificate().getSerialNumber().toString(16));
    }

    @Test
    void refusesACaKeyThatIsNotTheFirstCasKey() {
        Issued otherCa = CertificateAuthority.newCa("es-metrics-adapter-ca", T0, Duration.ofDays(30));

        Optional<Refused> refused = ServingSecretCheck.integrity(new ServingSecret(List.of(ca.certificate()), otherCa.key(), serving));

        assertThat(refused).get().extracting(Refused::reason).isEqualTo(Refusal.CA_KEY_MISMATCH);
    }

    /** A leaf certificate in ca.crt would have the aggregator trust whatever its key signs, CA or not. */
    @Test
    void refusesACaCertificateThatIsNotACa() {
        Issued leafAsCa = CertificateAuthority.newServingCertificate(ca, NAMES, T0, Duration.ofDays(1));
        Issued signedByTheLeaf = CertificateAuthority.newServingCertificate(leafAsCa, NAMES, T0, Duration.ofDays(1));

        Optional<Refused> refused = ServingSecretCheck.integrity(
                new ServingSecret(List.of(leafAsCa.certificate()), leafAsCa.key(), signedByTheLeaf));

        assertThat(refused).get().extracting(Refused::reason).isEqualTo(Refusal.CA_NOT_A_CA);
    }

    @Test
    void refusesToServeACertificateOutsideItsValidityOrForOtherNames() {
        ServingSecret secret = new ServingSecret(List.of(ca.certificate()), ca.key(), serving);

        assertThat(ServingSecretCheck.servable(secret, T0.plus(Duration.ofDays(2)), NAMES)).get()
                .extracting(Refused::reason).isEqualTo(Refusal.NOT_VALID_NOW);
        assertThat(ServingSecretCheck.servable(secret, T0.minus(Duration.ofHours(2)), NAMES)).get()
                .extracting(Refused::reason).isEqualTo(Refusal.NOT_VALID_NOW);
        assertThat(ServingSecretCheck.servable(secret, T0, List.of("es-metrics-adapter.other.svc"))).get()
                .extracting(Refused::reason).isEqualTo(Refusal.WRONG_NAMES);
        assertThat(ServingSecretCheck.servable(secret, T0, NAMES)).isEmpty();
    }
}

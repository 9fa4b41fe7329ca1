package io.esmetrics.adapter.servingcert;

import java.time.Duration;
import java.util.List;

/**
 * When the self-managed CA and serving certificate are made and replaced.
 *
 * @param caTrustDelay how long a new CA is in the bundle (the APIService's caBundle, every replica) before a
 *                     certificate it signed is served: every client trusts it by then
 */
record RotationPolicy(Duration caLifetime, Duration caRenewBefore, Duration certificateLifetime,
        Duration certificateRenewBefore, Duration caTrustDelay, List<String> dnsNames) {

    RotationPolicy {
        dnsNames = List.copyOf(dnsNames);
    }

    /**
     * @throws IllegalArgumentException when the durations cannot work together: a certificate must be renewable
     *                                  while it is valid, and a new CA trusted before the certificates it signs
     */
    RotationPolicy validated() {
        require(caLifetime.compareTo(caRenewBefore) > 0, "ca-lifetime must be longer than ca-renew-before");
        require(certificateLifetime.compareTo(certificateRenewBefore) > 0,
                "certificate-lifetime must be longer than certificate-renew-before");
        require(caRenewBefore.compareTo(caTrustDelay) > 0, "ca-renew-before must be longer than ca-trust-delay");
        // A renewal may wait for a new CA to be trusted: the certificate must still be valid by then.
        require(certificateRenewBefore.compareTo(caTrustDelay) > 0, "certificate-renew-before must be longer than ca-trust-delay");
        require(!dnsNames.isEmpty(), "the serving certificate needs at least one name");
        return this;
    }

    private static void require(boolean holds, String problem) {
        if (!holds) {
            throw new IllegalArgumentException("adapter.serving: " + problem);
        }
    }
}

package io.esmetrics.adapter.authentication;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies a client certificate chain against a set of CAs, for client authentication, as of now.
 * Successful verifications are remembered briefly for the same chain and the same CAs: signature checks are
 * the dearest part of a request over mTLS, and the aggregator sends every request with the same certificate.
 * A remembered chain still stops counting the moment one of its certificates expires; a rotated CA set is
 * another key, so it is verified afresh.
 */
final class CertificateChains {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private record Verified(List<X509Certificate> chain, List<X509Certificate> cas) {
    }

    private static final Cache<Verified, Instant> VERIFIED = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(10_000)
            .build();

    private CertificateChains() {
    }

    /** Whether {@code chain} (leaf first) is valid now, usable for client authentication and signed by one of {@code cas}. */
    static boolean verifies(X509Certificate[] chain, List<X509Certificate> cas, Instant now) {
        if (chain == null || chain.length == 0 || cas.isEmpty()) {
            return false;
        }
        Verified key = new Verified(List.of(chain), cas);
        Instant validUntil = VERIFIED.getIfPresent(key);
        if (validUntil != null && now.isBefore(validUntil)) {
            return true;
        }
        if (validate(chain, cas, now)) {
            VERIFIED.put(key, Arrays.stream(chain).map(cert -> cert.getNotAfter().toInstant()).min(Instant::compareTo).orElse(now));
            return true;
        }
        return false;
    }

    private static boolean validate(X509Certificate[] chain, List<X509Certificate> cas, Instant now) {
        try {
            Set<TrustAnchor> anchors = cas.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toSet());
            // A client may send its CA along; the path to validate stops before the trust anchor.
            List<X509Certificate> path = Arrays.stream(chain).filter(cert -> !cas.contains(cert)).toList();
            if (path.isEmpty()) {
                return false;
            }
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            X509CertSelector leaf = new X509CertSelector();
            leaf.setExtendedKeyUsage(Set.of(CLIENT_AUTH));
            parameters.setTargetCertConstraints(leaf);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            return true;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            return false;
        }
    }
}

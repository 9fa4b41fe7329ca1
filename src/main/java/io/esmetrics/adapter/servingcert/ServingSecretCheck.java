package io.esmetrics.adapter.servingcert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the content of the serving-certificate Secret may be adopted. Anyone who can create or change that Secret
 * would otherwise choose what the adapter serves and which CAs the APIService's caBundle trusts (issue 23, item 3).
 * Two steps, because they answer different questions:
 * <ul>
 * <li>{@link #integrity}: does the content hang together (every CA a CA, each key its certificate's, the serving
 *     certificate signed by one of the CAs)? It depends on nothing but the content, so every replica, whatever its
 *     clock, judges a Secret another replica wrote the same: one the adapter wrote always passes, and a refused one
 *     may be overwritten without two replicas fighting.</li>
 * <li>{@link #servable}: may the pair be served now, for these names? Asked after {@link Rotation} renewed what was
 *     due (an expired certificate or new names are renewed, not refused).</li>
 * </ul>
 * Messages name certificates by subject and serial, never key material.
 */
final class ServingSecretCheck {

    /** Why the content is refused; {@link #tag} is the {@code reason} of esmetrics_serving_certificate_refused_total. */
    enum Refusal {
        UNREADABLE("unreadable"),
        CA_NOT_A_CA("ca-not-a-ca"),
        CA_KEY_MISMATCH("ca-key-mismatch"),
        NOT_SIGNED_BY_CA("not-signed-by-ca"),
        KEY_MISMATCH("key-mismatch"),
        NOT_VALID_NOW("not-valid-now"),
        WRONG_NAMES("wrong-names");

        final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }
    }

    record Refused(Refusal reason, String detail) {
    }

    private static final byte[] CHALLENGE = "es-metrics-adapter: does this key belong to this certificate?"
            .getBytes(StandardCharsets.US_ASCII);
    /** keyUsage bit 5: the key may sign certificates. */
    private static final int KEY_CERT_SIGN = 5;

    private ServingSecretCheck() {
    }

    static Optional<Refused> integrity(ServingSecret secret) {
        Optional<Refused> caRefused = caIntegrity(new ServingSecret.CaPart(secret.cas(), secret.signingKey()));
        if (caRefused.isPresent()) {
            return caRefused;
        }
        X509Certificate serving = secret.serving().certificate();
        boolean signed = secret.cas().stream().anyMatch(ca -> ca.getSubjectX500Principal().equals(serving.getIssuerX500Principal())
                && Rotation.signedBy(serving, ca.getPublicKey()));
        if (!signed) {
            return refused(Refusal.NOT_SIGNED_BY_CA, "tls.crt, " + named(serving) + ", is signed by none of the CAs in ca.crt");
        }
        if (!belongs(secret.serving().key(), serving.getPublicKey())) {
            return refused(Refusal.KEY_MISMATCH, "tls.key is not the key of tls.crt, " + named(serving));
        }
        return Optional.empty();
    }

    /** The CA Secret's part: every CA a CA, the key the first one's. */
    static Optional<Refused> caIntegrity(ServingSecret.CaPart part) {
        for (X509Certificate ca : part.cas()) {
            boolean[] usage = ca.getKeyUsage();
            if (ca.getBasicConstraints() < 0 || usage == null || usage.length <= KEY_CERT_SIGN || !usage[KEY_CERT_SIGN]) {
                return refused(Refusal.CA_NOT_A_CA, "ca.crt holds " + named(ca) + ", which is not a CA (basicConstraints "
                        + "CA:TRUE and keyUsage keyCertSign)");
            }
        }
        if (!belongs(part.signingKey(), part.cas().get(0).getPublicKey())) {
            return refused(Refusal.CA_KEY_MISMATCH, "ca.key is not the key of the first CA in ca.crt, " + named(part.cas().get(0)));
        }
        return Optional.empty();
    }

    static Optional<Refused> servable(ServingSecret secret, Instant now, List<String> dnsNames) {
        X509Certificate serving = secret.serving().certificate();
        try {
            serving.checkValidity(Date.from(now));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            return refused(Refusal.NOT_VALID_NOW, "tls.crt, " + named(serving) + ", is valid from " + serving.getNotBefore().toInstant()
                    + " to " + serving.getNotAfter().toInstant() + ", not at " + now);
        }
        Set<String> names = dnsNames(serving);
        if (!names.containsAll(dnsNames)) {
            return refused(Refusal.WRONG_NAMES, "tls.crt, " + named(serving) + ", is for " + names + ", not for " + dnsNames);
        }
        return Optional.empty();
    }

    /** A signature made with {@code key} verifies with {@code certified}: whatever the algorithm, the pair is one. */
    private static boolean belongs(PrivateKey key, PublicKey certified) {
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            return false;
        }
        try {
            String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static Set<String> dnsNames(X509Certificate certificate) {
        Set<String> names = new HashSet<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                alternatives.stream().filter(name -> Integer.valueOf(2).equals(name.get(0))).forEach(name -> names.add((String) name.get(1)));
            }
        } catch (CertificateParsingException e) {
            // no names
        }
        return names;
    }

    private static String named(X509Certificate certificate) {
        return "'" + certificate.getSubjectX500Principal().getName() + "' (serial " + certificate.getSerialNumber().toString(16) + ")";
    }

    private static Optional<Refused> refused(Refusal reason, String detail) {
        return Optional.of(new Refused(reason, detail));
    }
}

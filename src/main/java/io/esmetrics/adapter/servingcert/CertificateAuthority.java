package io.esmetrics.adapter.servingcert;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the adapter's CAs and serving certificates (BouncyCastle): ECDSA P-256 keys, which Go's TLS (the
 * aggregator) and BoringSSL handle fast. Certificates start an hour before they are made, so that a node whose
 * clock is a little behind does not find them not yet valid.
 */
final class CertificateAuthority {

    /** How far back a certificate's validity starts. */
    static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate and its private key. */
    record Issued(X509Certificate certificate, PrivateKey key) {

        Instant notAfter() {
            return certificate.getNotAfter().toInstant();
        }

        /** When it was made: its validity starts {@link #BACKDATE} before. */
        Instant madeAt() {
            return certificate.getNotBefore().toInstant().plus(BACKDATE);
        }
    }

    private CertificateAuthority() {
    }

    static Issued newCa(String commonName, Instant now, Duration lifetime) {
        KeyPair keys = keyPair();
        X500Name name = new X500Name("CN=" + commonName + " " + now.getEpochSecond());
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(lifetime)), name, keys.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new Issued(sign(builder, keys.getPrivate()), keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a CA: " + e.getMessage(), e);
        }
    }

    /** A serving certificate for {@code dnsNames}, valid for {@code lifetime} but never beyond {@code ca}. */
    static Issued newServingCertificate(Issued ca, List<String> dnsNames, Instant now, Duration lifetime) {
        KeyPair keys = keyPair();
        Instant notAfter = now.plus(lifetime).isAfter(ca.notAfter()) ? ca.notAfter() : now.plus(lifetime);
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), new X500Name("CN=" + dnsNames.get(0)), keys.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(dnsNames.stream()
                    .map(dnsName -> new GeneralName(GeneralName.dNSName, dnsName)).toArray(GeneralName[]::new)));
            builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca.certificate()));
            return new Issued(sign(builder, ca.key()), keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a serving certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key pairs in this JVM: " + e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }
}

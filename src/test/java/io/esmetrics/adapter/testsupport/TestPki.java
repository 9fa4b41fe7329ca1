package io.esmetrics.adapter.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** CAs and certificates made inside the tests (BouncyCastle), written as PEM where servers need files. */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate, its key, and where it is written. */
    public record Issued(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile) {

        public String certificatePem() {
            return pem("CERTIFICATE", encoded(certificate));
        }

        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        /** An HTTP client presenting this certificate and trusting {@code serverCa}. */
        public HttpClient httpClientTrusting(Issued serverCa) {
            return HttpClient.newBuilder().sslContext(sslContext(this, serverCa)).connectTimeout(Duration.ofSeconds(5)).build();
        }
    }

    private TestPki() {
    }

    public static Issued ca(Path dir, String commonName) {
        Optional<Issued> existing = load(dir, commonName);
        if (existing.isPresent()) {
            return existing.get();
        }
        KeyPair keys = keyPair();
        X500Name name = new X500Name("CN=" + commonName);
        return write(dir, commonName, sign(name, keys, name, keys.getPrivate(), true, false, List.of(),
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(10))), keys.getPrivate());
    }

    /** @param name the file name: the same name in the same directory is the same certificate, loaded back */
    public static Issued clientCertificate(Path dir, String name, Issued ca, String subject) {
        return clientCertificate(dir, name, ca, subject, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    }

    public static Issued clientCertificate(Path dir, String name, Issued ca, String subject, Instant notBefore, Instant notAfter) {
        Optional<Issued> existing = load(dir, name);
        if (existing.isPresent()) {
            return existing.get();
        }
        KeyPair keys = keyPair();
        X509Certificate certificate = sign(new X500Name(subject), keys, issuerName(ca), ca.key(), false, true, List.of(), notBefore, notAfter);
        return write(dir, name, certificate, keys.getPrivate());
    }

    public static Issued serverCertificate(Path dir, String name, Issued ca, String commonName, List<String> dnsNames) {
        Optional<Issued> existing = load(dir, name);
        if (existing.isPresent()) {
            return existing.get();
        }
        return issueServerCertificate(dir, name, ca, commonName, dnsNames);
    }

    /** A new server certificate written over {@code name}'s files, e.g. to rotate it. */
    public static Issued issueServerCertificate(Path dir, String name, Issued ca, String commonName, List<String> dnsNames) {
        KeyPair keys = keyPair();
        X509Certificate certificate = sign(new X500Name("CN=" + commonName), keys, issuerName(ca), ca.key(), false, false,
                dnsNames, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
        return write(dir, name, certificate, keys.getPrivate());
    }

    /**
     * Quarkus loads test profiles in another class loader than the tests: both must see the same certificates,
     * so what one generated the other reads back from disk.
     */
    private static Optional<Issued> load(Path dir, String name) {
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            return Optional.empty();
        }
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
            String keyPem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(keyPem)));
            return Optional.of(new Issued(certificate, key, certFile, keyFile));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + certFile, e);
        }
    }

    /** An HTTP client with no client certificate, trusting {@code serverCa}. */
    public static HttpClient anonymousClientTrusting(Issued serverCa) {
        return HttpClient.newBuilder().sslContext(sslContext(null, serverCa)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static SSLContext sslContext(Issued client, Issued serverCa) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", serverCa.certificate());
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            if (client != null) {
                keys.setKeyEntry("client", client.key(), new char[0], new X509Certificate[] { client.certificate() });
            }
            keyManagers.init(keys, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair keys, X500Name issuer, PrivateKey issuerKey, boolean ca,
            boolean client, List<String> dnsNames, Instant notBefore, Instant notAfter) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
            }
            if (!dnsNames.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (String name : dnsNames) {
                    names.add(name.matches("[0-9.]+") ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName, name));
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X500Name issuerName(Issued ca) {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    private static Issued write(Path dir, String name, X509Certificate certificate, PrivateKey key) {
        try {
            Files.createDirectories(dir);
            Path certFile = dir.resolve(name + ".crt");
            Path keyFile = dir.resolve(name + ".key");
            Issued issued = new Issued(certificate, key, certFile, keyFile);
            Files.writeString(certFile, issued.certificatePem());
            Files.writeString(keyFile, issued.keyPem());
            return issued;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}

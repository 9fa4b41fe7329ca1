package io.esmetrics.adapter.tls;

import io.smallrye.certs.CertificateUtils;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * A throw-away serving certificate for when none is mounted (clusters then use insecureSkipTLSVerify). Made and kept
 * in memory: its key is never written to a file, where another process could read it before its mode was set.
 */
final class SelfSignedCertificate {

    /** The certificate and its PKCS #8 key, as PEM. */
    record Pem(byte[] certificate, byte[] key) {
    }

    private SelfSignedCertificate() {
    }

    static Pem generate(List<String> names) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keyPair = generator.generateKeyPair();
        X509Certificate certificate = CertificateUtils.generateCertificate(keyPair, names.get(0), names,
                Duration.ofDays(365), null);
        return new Pem(PemBlock.of("CERTIFICATE", certificate.getEncoded()).getBytes(StandardCharsets.US_ASCII),
                PemBlock.of("PRIVATE KEY", keyPair.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII));
    }
}

package io.esmetrics.adapter.tls;

import io.smallrye.certs.CertificateUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/** A throw-away serving certificate for when none is mounted (clusters then use insecureSkipTLSVerify). */
final class SelfSignedCertificate {

    record PemFiles(Path cert, Path key) {
    }

    private SelfSignedCertificate() {
    }

    static PemFiles generate(List<String> names) throws Exception {
        Path dir = Files.createTempDirectory("es-metrics-adapter-serving-");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keyPair = generator.generateKeyPair();
        X509Certificate certificate = CertificateUtils.generateCertificate(keyPair, names.get(0), names,
                Duration.ofDays(365), null);
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        // A throw-away key is not left behind in /tmp; deleted in reverse order, so the directory last.
        dir.toFile().deleteOnExit();
        cert.toFile().deleteOnExit();
        key.toFile().deleteOnExit();
        CertificateUtils.writeCertificateToPEM(certificate, cert.toFile());
        CertificateUtils.writePrivateKeyToPem(keyPair.getPrivate(), null, key.toFile());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return new PemFiles(cert, key);
    }
}

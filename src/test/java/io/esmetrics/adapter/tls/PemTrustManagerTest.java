package io.esmetrics.adapter.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.testsupport.TestPki;
import io.esmetrics.adapter.testsupport.TestPki.Issued;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTrustManagerTest {

    @TempDir
    Path dir;

    @Test
    void trustsWhatTheRotatedBundleHoldsAndKeepsTheLastGoodOne() throws Exception {
        Issued first = TestPki.ca(dir, "first-ca");
        Issued second = TestPki.ca(dir, "second-ca");
        Issued server = TestPki.serverCertificate(dir, "server", second, "localhost", List.of("localhost"));
        Path bundle = dir.resolve("ca.crt");
        Files.copy(first.certFile(), bundle);
        PemTrustManager manager = new PemTrustManager(bundle);
        X509Certificate[] chain = { server.certificate() };

        assertThatThrownBy(() -> manager.checkServerTrusted(chain, "ECDHE_ECDSA")).isInstanceOf(CertificateException.class);
        assertThat(manager.reloadIfChanged()).as("unchanged").isFalse();

        Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        assertThat(manager.reloadIfChanged()).as("invalid").isFalse();
        assertThat(manager.getAcceptedIssuers()).containsExactly(first.certificate());

        Files.writeString(bundle, Files.readString(first.certFile()) + Files.readString(second.certFile()));
        assertThat(manager.reloadIfChanged()).isTrue();
        manager.checkServerTrusted(chain, "ECDHE_ECDSA");
        assertThat(manager.getAcceptedIssuers()).containsExactlyInAnyOrder(first.certificate(), second.certificate());
    }

    @Test
    void refusesAFileWithoutCertificatesAtStartUp() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.crt"), "");

        assertThatThrownBy(() -> new PemTrustManager(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no certificate in " + empty);
        assertThatThrownBy(() -> new PemTrustManager(dir.resolve("missing.crt"))).hasMessageContaining("cannot read");
    }
}

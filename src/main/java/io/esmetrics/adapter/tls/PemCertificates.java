package io.esmetrics.adapter.tls;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/** A PEM bundle of certificates (CA files, the cluster's CA ConfigMap keys) as X.509 certificates. */
public final class PemCertificates {

    private PemCertificates() {
    }

    /** @throws IllegalArgumentException when the bundle holds anything but PEM certificates */
    public static List<X509Certificate> parse(byte[] pem) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("invalid PEM certificates: " + e.getMessage(), e);
        }
    }
}

package io.esmetrics.adapter.tls;

/**
 * A CDI event: a {@link ServingCertificateSource} holds a new serving certificate or a new set of trusted CAs. The HTTPS
 * listener serves the certificate from its next handshake; the APIService's caBundle follows the CAs.
 *
 * @param caBundle PEM of every CA clients must trust now
 */
public record ServingCertificateChanged(String certificatePem, String keyPem, String caBundle) {
}

package io.esmetrics.adapter.tls;

import java.util.Optional;

/**
 * Where the serving certificate comes from when it is not files: the self-managed Secret
 * ({@code adapter.serving.self-managed}). It announces every new certificate as a {@link ServingCertificateChanged}.
 */
public interface ServingCertificateSource {

    /**
     * Starts following the certificate; the one to serve first, when at hand now. Empty means "serve a stop-gap":
     * the source's first {@link ServingCertificateChanged} replaces it. Never fails.
     */
    Optional<ServingCertificateChanged> start();
}

package io.esmetrics.adapter.servingcert;

import io.esmetrics.adapter.servingcert.CertificateAuthority.Issued;
import io.esmetrics.adapter.tls.PemBlock;
import io.esmetrics.adapter.tls.PemCertificates;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The self-managed CA and serving certificate, as two Secrets hold them. The serving Secret is a
 * {@code kubernetes.io/tls} Secret with one more key: {@code tls.crt} and {@code tls.key} (the serving certificate) and
 * {@code ca.crt} (every CA clients must trust now, the newest first: two while one replaces the other). The CA
 * Secret holds {@code ca.crt} (the same bundle) and {@code ca.key} (the newest CA's key, which signs the next serving
 * certificates): whoever may read the serving pair, to serve or mount it, does not get the key that makes the
 * certificates the APIService trusts. The CA Secret is the authority on the CAs.
 *
 * @param cas the trusted CAs, newest first; the first is the signing CA, {@code signingKey} its key
 */
record ServingSecret(List<X509Certificate> cas, PrivateKey signingKey, Issued serving) {

    static final String TLS_CRT = "tls.crt";
    static final String TLS_KEY = "tls.key";
    static final String CA_CRT = "ca.crt";
    static final String CA_KEY = "ca.key";

    ServingSecret {
        cas = List.copyOf(cas);
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("no CA");
        }
    }

    Issued signingCa() {
        return new Issued(cas.get(0), signingKey);
    }

    /** The CA bundle clients must trust, as PEM: what the APIService's caBundle holds. */
    String caBundle() {
        StringBuilder bundle = new StringBuilder();
        cas.forEach(ca -> bundle.append(PemBlock.of("CERTIFICATE", encoded(ca))));
        return bundle.toString();
    }

    String certificatePem() {
        return PemBlock.of("CERTIFICATE", encoded(serving.certificate()));
    }

    String keyPem() {
        return PemBlock.of("PRIVATE KEY", serving.key().getEncoded());
    }

    /** The serving Secret's {@code data}, base64-encoded as the API wants it: no CA key. */
    Map<String, String> servingData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TLS_CRT, base64(certificatePem()));
        data.put(TLS_KEY, base64(keyPem()));
        data.put(CA_CRT, base64(caBundle()));
        return data;
    }

    /** The CA Secret's {@code data}. */
    Map<String, String> caData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CA_CRT, base64(caBundle()));
        data.put(CA_KEY, base64(PemBlock.of("PRIVATE KEY", signingKey.getEncoded())));
        return data;
    }

    /** The CAs and the signing key of a CA Secret. */
    record CaPart(List<X509Certificate> cas, PrivateKey signingKey) {
    }

    /** @throws IllegalArgumentException naming what is missing or broken */
    static CaPart parseCa(Map<String, String> caData) {
        List<X509Certificate> cas = PemCertificates.parse(decoded(caData, CA_CRT));
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + CA_CRT);
        }
        return new CaPart(new ArrayList<>(cas), key(decoded(caData, CA_KEY), CA_KEY));
    }

    /**
     * The serving pair of {@code servingData} with the CAs of {@code caData}; with no CA Secret, the layout of
     * releases before it, where the serving Secret held {@code ca.key} too.
     *
     * @throws IllegalArgumentException naming what is missing or broken
     */
    static ServingSecret parse(Map<String, String> servingData, Map<String, String> caData) {
        CaPart ca = parseCa(caData == null ? servingData : caData);
        List<X509Certificate> serving = PemCertificates.parse(decoded(servingData, TLS_CRT));
        if (serving.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + TLS_CRT);
        }
        return new ServingSecret(ca.cas(), ca.signingKey(), new Issued(serving.get(0), key(decoded(servingData, TLS_KEY), TLS_KEY)));
    }

    private static byte[] decoded(Map<String, String> data, String key) {
        String value = data == null ? null : data.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("no " + key);
        }
        try {
            return Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not base64", e);
        }
    }

    private static PrivateKey key(byte[] pem, String key) {
        String body = new String(pem, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is not a PKCS#8 EC key", e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}

package io.esmetrics.adapter.authentication;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.esmetrics.adapter.tls.PemCertificates;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * The ConfigMap {@code kube-system/extension-apiserver-authentication}, parsed: which CAs sign client and
 * front-proxy certificates, which front-proxy names are allowed and which headers carry the identity.
 *
 * @param allowedNames empty means any certificate signed by the front-proxy CA
 * @param uidHeaders   from Kubernetes 1.32 (the aggregator sends {@code X-Remote-Uid} from 1.33); none when the
 *                     ConfigMap has no {@code requestheader-uid-headers}, as before
 */
record ClusterAuthentication(
        List<X509Certificate> clientCa,
        List<X509Certificate> requestHeaderCa,
        List<String> allowedNames,
        List<String> usernameHeaders,
        List<String> groupHeaders,
        List<String> extraHeaderPrefixes,
        List<String> uidHeaders) {

    static final ClusterAuthentication NONE = new ClusterAuthentication(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
            List.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    static ClusterAuthentication parse(Map<String, String> data) {
        return new ClusterAuthentication(
                certificates(data.get("client-ca-file")),
                certificates(data.get("requestheader-client-ca-file")),
                list(data, "requestheader-allowed-names", List.of()),
                list(data, "requestheader-username-headers", List.of("X-Remote-User")),
                list(data, "requestheader-group-headers", List.of("X-Remote-Group")),
                list(data, "requestheader-extra-headers-prefix", List.of("X-Remote-Extra-")),
                list(data, "requestheader-uid-headers", List.of()));
    }

    private static List<X509Certificate> certificates(String pem) {
        if (pem == null || pem.isBlank()) {
            return List.of();
        }
        return PemCertificates.parse(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static List<String> list(Map<String, String> data, String key, List<String> defaults) {
        String json = data.get(key);
        if (json == null || json.isBlank()) {
            return defaults;
        }
        try {
            return List.copyOf(JSON.readValue(json, new TypeReference<List<String>>() {
            }));
        } catch (Exception e) {
            throw new IllegalArgumentException(key + " is not a JSON array of strings: " + e.getMessage(), e);
        }
    }
}

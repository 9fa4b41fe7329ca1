package io.esmetrics.adapter.authentication;

import io.vertx.core.MultiMap;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The kube-aggregator's way in: a client certificate signed by the front-proxy CA, with an allowed common
 * name, vouches for the identity in the {@code X-Remote-*} headers. Those headers mean nothing on any other
 * connection.
 */
final class FrontProxyAuthenticator {

    private FrontProxyAuthenticator() {
    }

    static Optional<UserInfo> authenticate(X509Certificate[] chain, MultiMap headers, ClusterAuthentication cluster, Instant now) {
        if (!CertificateChains.verifies(chain, cluster.requestHeaderCa(), now)) {
            return Optional.empty();
        }
        if (!cluster.allowedNames().isEmpty()
                && !cluster.allowedNames().contains(DistinguishedNames.commonName(chain[0]).orElse(""))) {
            return Optional.empty();
        }
        Optional<String> username = cluster.usernameHeaders().stream()
                .map(headers::get)
                .filter(value -> value != null && !value.isEmpty())
                .findFirst();
        if (username.isEmpty()) {
            return Optional.empty();
        }
        List<String> groups = new ArrayList<>();
        cluster.groupHeaders().forEach(header -> groups.addAll(headers.getAll(header)));
        // Only the headers the cluster names: without requestheader-uid-headers, an X-Remote-Uid means nothing.
        Optional<String> uid = cluster.uidHeaders().stream()
                .map(headers::get)
                .filter(value -> value != null && !value.isEmpty())
                .findFirst();
        return Optional.of(new UserInfo(username.get(), uid, groups, extra(headers, cluster.extraHeaderPrefixes())));
    }

    /** {@code X-Remote-Extra-Scopes: a} → {@code scopes: [a]}; keys are lower-cased and path-unescaped, as Kubernetes does. */
    static Map<String, List<String>> extra(MultiMap headers, List<String> prefixes) {
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            for (String prefix : prefixes) {
                String lowerPrefix = prefix.toLowerCase(Locale.ROOT);
                if (name.startsWith(lowerPrefix) && name.length() > lowerPrefix.length()) {
                    String key = unescape(name.substring(lowerPrefix.length()));
                    extra.computeIfAbsent(key, k -> new ArrayList<>()).add(header.getValue());
                }
            }
        }
        return extra;
    }

    /**
     * Kubernetes' {@code url.PathUnescape}: {@code %XX} escapes only, a {@code +} stays a {@code +} (a form decoder's
     * space would make {@code a+b} another key than the API server's), and a key that does not unescape is kept as
     * it came, as the API server keeps it.
     */
    private static String unescape(String key) {
        try {
            return URLDecoder.decode(key.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return key;
        }
    }
}

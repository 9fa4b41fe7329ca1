package io.esmetrics.adapter.authentication;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Reads CN and O out of a certificate subject, where Kubernetes finds user and groups. */
final class DistinguishedNames {

    private DistinguishedNames() {
    }

    static Optional<String> commonName(X509Certificate certificate) {
        List<String> names = attribute(certificate, "CN");
        return names.isEmpty() ? Optional.empty() : Optional.of(names.get(0));
    }

    static List<String> organizations(X509Certificate certificate) {
        return attribute(certificate, "O");
    }

    private static List<String> attribute(X509Certificate certificate, String type) {
        List<String> values = new ArrayList<>();
        try {
            // getRdns() is in the certificate's encoding order (the reverse of the RFC 2253 string), as Kubernetes reads it.
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type)) {
                    values.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return List.of();
        }
        return values;
    }
}

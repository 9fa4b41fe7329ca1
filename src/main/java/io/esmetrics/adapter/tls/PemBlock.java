package io.esmetrics.adapter.tls;

import java.util.Base64;

/** DER bytes as one PEM block ({@code -----BEGIN CERTIFICATE-----} …), lines of 64 characters as RFC 7468 has them. */
public final class PemBlock {

    private PemBlock() {
    }

    /** @param type {@code CERTIFICATE}, {@code PRIVATE KEY} (PKCS #8) … */
    public static String of(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}

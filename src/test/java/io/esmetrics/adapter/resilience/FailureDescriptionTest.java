package io.esmetrics.adapter.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** What a caller may read of a failure: its kind and the dependency's words, without addresses or user names. */
class FailureDescriptionTest {

    @Test
    void tellsTransportFailuresByKindNeverByAddress() {
        assertThat(FailureDescription.kind(new ConnectException("Connection refused: es.internal/10.1.2.3:9200")))
                .isEqualTo("connection refused");
        assertThat(FailureDescription.kind(new IOException("wrapped", new SocketTimeoutException("10.1.2.3:9200"))))
                .isEqualTo("timed out");
        assertThat(FailureDescription.kind(new UnknownHostException("es.internal"))).isEqualTo("host name not found");
    }

    @Test
    void cutsUserNamesAndAddressesOutOfADependencysReason() {
        String reason = "security_exception: action [indices:data/read/search] is unauthorized for user [es-metrics-adapter]"
                + " with effective roles [reader] on indices [ai-events-1], reached at es.internal:9200 and https://keda.keda:443/apis";

        assertThat(FailureDescription.scrubbed(reason))
                .contains("is unauthorized for user [...]", "security_exception", "indices [ai-events-1]")
                .doesNotContain("es-metrics-adapter", "es.internal", "9200", "keda.keda");
    }
}

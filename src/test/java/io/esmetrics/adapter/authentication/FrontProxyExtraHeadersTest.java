package io.esmetrics.adapter.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The extra of the identity the aggregator sends, keyed as the API server keys it (its requestheader authenticator). */
class FrontProxyExtraHeadersTest {

    private static final List<String> PREFIXES = List.of("X-Remote-Extra-");

    @Test
    void unescapesKeysAsKubernetesDoesWithAPlusKeptAsAPlus() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("X-Remote-Extra-Scopes", "read")
                .add("X-Remote-Extra-acme.com%2Fproject", "p1")
                .add("X-Remote-Extra-a+b", "kept");

        assertThat(FrontProxyAuthenticator.extra(headers, PREFIXES))
                .containsEntry("scopes", List.of("read"))
                .containsEntry("acme.com/project", List.of("p1"))
                .containsEntry("a+b", List.of("kept"))
                .doesNotContainKey("a b");
    }

    @Test
    void keepsAKeyThatDoesNotUnescapeAsItCameInsteadOfFailingTheRequest() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Remote-Extra-bad%zz", "v");

        assertThat(FrontProxyAuthenticator.extra(headers, PREFIXES)).containsEntry("bad%zz", List.of("v"));
    }
}

package io.esmetrics.adapter.authentication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityOffWarningTest {

    @Test
    void warnsOfEachSwitchThatTurnsSecurityOffOutsideTheLocalProfile() {
        assertThat(SecurityOffWarning.warnings(false, false, List.of("prod"))).hasSize(2)
                .anySatisfy(warning -> assertThat(warning).startsWith("SECURITY OFF: adapter.authentication.enabled=false"))
                .anySatisfy(warning -> assertThat(warning).startsWith("SECURITY OFF: adapter.serving.tls=false"));
        assertThat(SecurityOffWarning.warnings(true, false, List.of("prod"))).singleElement().asString().contains("adapter.serving.tls");
    }

    @Test
    void staysQuietWhenSecurityIsOnOrInTheLocalProfile() {
        assertThat(SecurityOffWarning.warnings(true, true, List.of("prod"))).isEmpty();
        assertThat(SecurityOffWarning.warnings(false, false, List.of("local"))).isEmpty();
    }
}

package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TermValuesTest {

    /** The value sent to Elasticsearch, or (none) when no value of the field can equal it. */
    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource(delimiter = '|', nullValues = "(none)", value = {
            "keyword      | svc-a                | \"svc-a\"",
            "keyword      | ''                   | \"\"",
            "(unknown)    | 99999999999999999999 | \"99999999999999999999\"",
            "long         | 500                  | \"500\"",
            "long         | 500.0                | \"500\"",
            "long         | 5e2                  | \"500\"",
            "long         | 500.5                | (none)",
            "long         | svc-a                | (none)",
            "long         | ''                   | (none)",
            "long         | 9223372036854775807  | \"9223372036854775807\"",
            "long         | 9223372036854775808  | (none)",
            "long         | 1e400                | (none)",
            "integer      | 2147483648           | (none)",
            "byte         | 300                  | (none)",
            "unsigned_long| 18446744073709551615 | \"18446744073709551615\"",
            "unsigned_long| 18446744073709551616 | (none)",
            "double       | 1.5                  | \"1.5\"",
            "double       | 1e400                | (none)",
            "double       | NaN                  | (none)",
            "float        | 1e39                 | (none)",
            "half_float   | 65505                | (none)",
            "boolean      | true                 | \"true\"",
            "boolean      | yes                  | (none)",
            "ip           | 10.0.0.1             | \"10.0.0.1\"",
            "ip           | 010.0.0.1            | (none)",
            "ip           | svc-a                | (none)",
            "date         | 1767225600000        | 1767225600000",
            "date         | 2026                 | 2026",
            "date         | 2026-01-01           | (none)",
            "long,keyword | svc-a                | (none)",
            "long,keyword | 500                  | \"500\"",
    })
    void keepsOnlyValuesTheFieldCanHold(String types, String value, String expected) {
        Set<String> typeSet = types.equals("(unknown)") ? Set.of() : Set.of(types.split(","));

        assertThat(TermValues.of(typeSet, value).map(Object::toString).orElse(null)).isEqualTo(expected);
    }
}

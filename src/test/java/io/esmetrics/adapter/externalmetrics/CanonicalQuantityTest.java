package io.esmetrics.adapter.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalQuantityTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1, 1",
            "1.5, 1500m",
            "0.001, 1m",
            "0.0001, 1m",
            "0.0015, 2m",
            "1500, 1500",
            "2000, 2k",
            "1000000, 1M",
            "1500000, 1500k",
            "2.5e9, 2500M",
            "1e15, 1P",
            "12.345, 12345m",
            "-1.5, -1500m",
            "-2000, -2k",
            "0.1, 100m",
            "100.0, 100"
    })
    void formatsCanonicalDecimalSi(String value, String expected) {
        assertThat(CanonicalQuantity.format(new BigDecimal(value))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "1.5", "0.0001", "2000", "123456.789", "9e15" })
    void kubernetesReadsBackAtLeastTheValue(String value) {
        String formatted = CanonicalQuantity.format(new BigDecimal(value));

        BigDecimal readBack = Quantity.getAmountInBytes(new Quantity(formatted));

        assertThat(readBack).isGreaterThanOrEqualTo(new BigDecimal(value));
        assertThat(readBack.subtract(new BigDecimal(value))).isLessThan(new BigDecimal("0.001"));
    }

    @Test
    void refusesValuesWhoseMilliValueOverflows() {
        assertThatThrownBy(() -> CanonicalQuantity.format(new BigDecimal("1e16")))
                .isInstanceOf(QuantityOutOfRangeException.class);
    }

    /** A document's field can hold 1e-999999999 as text: judged by its exponent, never expanded to a billion digits. */
    @Test
    void formatsAndRefusesValuesOfAnyExponentAtOnce() {
        Duration quickly = Duration.ofSeconds(2);

        assertThat(assertTimeoutPreemptively(quickly, () -> CanonicalQuantity.format(new BigDecimal("1e-999999999"))))
                .isEqualTo("1m");
        assertThatThrownBy(() -> assertTimeoutPreemptively(quickly,
                () -> CanonicalQuantity.format(new BigDecimal("1e999999999"))))
                .isInstanceOf(QuantityOutOfRangeException.class)
                .hasMessageContaining("the value 1E+999999999 cannot be sent");
    }

    @ParameterizedTest
    @ValueSource(doubles = { Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY })
    void refusesNonFiniteValues(double value) {
        assertThatThrownBy(() -> CanonicalQuantity.format(value))
                .isInstanceOf(QuantityOutOfRangeException.class)
                .hasMessageContaining("finite");
    }

    @Test
    void formatsDoublesByTheirDecimalValue() {
        assertThat(CanonicalQuantity.format(0.1 + 0.2)).isEqualTo("301m");
        assertThat(CanonicalQuantity.format(1.5)).isEqualTo("1500m");
    }
}

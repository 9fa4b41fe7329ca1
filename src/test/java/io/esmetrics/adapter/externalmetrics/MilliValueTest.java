package io.esmetrics.adapter.externalmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantity text read as the HPA reads it, from requests and other providers' answers: every case within two seconds
 * (the first includes loading the classes), however large its exponent, since BigDecimal would expand
 * {@code 1e40000000} to forty million digits.
 */
class MilliValueTest {

    /** Far above what reading a few hundred characters costs, far below what expanding an exponent does. */
    private static final Duration QUICKLY = Duration.ofSeconds(2);

    private static long parse(String text) {
        return assertTimeoutPreemptively(QUICKLY, () -> MilliValue.parse(text));
    }

    @ParameterizedTest(name = "{0} is {1}m")
    @CsvSource(delimiter = '|', textBlock = """
            0                    | 0
            -0                   | 0
            0e99999999999        | 0
            10                   | 10000
            +10                  | 10000
            -10                  | -10000
            500m                 | 500
            1.5                  | 1500
            .5                   | 500
            5.                   | 5000
            1.5k                 | 1500000
            2M                   | 2000000000
            1G                   | 1000000000000
            1T                   | 1000000000000000
            1P                   | 1000000000000000000
            1500u                | 2
            100n                 | 1
            1e3                  | 1000000
            1E3                  | 1000000
            25e-1                | 2500
            1e+2                 | 100000
            0.0001               | 1
            -0.0001              | -1
            0.0015               | 2
            1Ki                  | 1024000
            1.5Ki                | 1536000
            2Mi                  | 2097152000
            1Gi                  | 1073741824000
            1Ti                  | 1099511627776000
            1Pi                  | 1125899906842624000
            8Pi                  | 9007199254740992000
            0.001Ki              | 1024
            0.0011Ki             | 1127
            9223372036854775807m | 9223372036854775807
            -9223372036854775808m | -9223372036854775808
            9.2e15               | 9200000000000000000
            9223372036854775.807 | 9223372036854775807
            """)
    void readsTheMilliValueAsTheHpaDoes(String text, long milli) {
        assertThat(parse(text)).isEqualTo(milli);
    }

    /** Kubernetes rounds every fraction of a thousandth up: even one with ten million zeros before its digit. */
    @ParameterizedTest
    @ValueSource(strings = { "1e-10000000", "1e-40000000", "1e-99999999999999999999", "0.0000000000000000000000000001Ei" })
    void readsAnythingBelowAMilliAsOneMilli(String text) {
        assertThat(parse(text)).isEqualTo(1);
        assertThat(parse("-" + text)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = { "9223372036854775808m", "-9223372036854775809m", "9.3e15", "1e16", "10P", "1E", "8Ei", "1Ei",
            "9Pi", "1e10000000", "1e40000000", "-1e40000000", "1e99999999999999999999", "99999999999999999999" })
    void refusesWhatTheHpasInt64CannotHold(String text) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " 1", "1 ", ".", "+", "-", "1e", "e3", "1.2.3", "1ki", "1KI", "1Ki3", "1mm", "1e3k", "0x10",
            "NaN", "Infinity", "١٠", "1,5", "1e1.5", "--1" })
    void refusesWhatIsNotAKubernetesQuantity(String text) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(NumberFormatException.class);
    }

    /** An item of another provider's answer without a value. */
    @Test
    void refusesAMissingValue() {
        assertThatThrownBy(() -> MilliValue.parse(null)).isInstanceOf(NumberFormatException.class);
    }

    /** Beyond a hundred digits only whether any is non-zero decides the rounding, as it would exactly. */
    @Test
    void roundsAValueOfManyDigitsAsItsExactValueWould() {
        String tail = "0".repeat(1_000_000) + "1";

        assertThat(parse("0.5" + tail + "Pi")).isEqualTo(562949953421312001L);
        assertThat(parse("7" + "0".repeat(200) + "1e-201")).isEqualTo(7001);
        assertThat(parse("1" + "0".repeat(1_000_000) + "e-1000000")).isEqualTo(1000);
        assertThat(parse("2.000" + tail)).isEqualTo(2001);
        assertThatThrownBy(() -> parse("1" + tail)).isInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "1", "1.5", "0.0001", "123456.789", "9e15", "-9e15", "1e-300", "123.456789e2" })
    void agreesWithTheMilliValueOfABigDecimal(String text) {
        BigDecimal value = new BigDecimal(text);

        assertThat(MilliValue.of(value)).isEqualTo(parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = { "1.5", "250m", "2k", "1Ki", "3Gi", "5e2", "0.0015", "7Pi" })
    void agreesWithFabric8ForOrdinaryQuantities(String text) {
        BigDecimal thousandths = Quantity.getAmountInBytes(new Quantity(text)).movePointRight(3);

        assertThat(parse(text)).isEqualTo(thousandths.setScale(0, RoundingMode.UP).longValueExact());
    }

    @Test
    void readsABigDecimalOfAnyExponentQuickly() {
        assertThat(assertTimeoutPreemptively(QUICKLY, () -> MilliValue.of(new BigDecimal("1e-999999999")))).isEqualTo(1);
        assertThat(assertTimeoutPreemptively(QUICKLY, () -> MilliValue.of(new BigDecimal("-1e-999999999")))).isEqualTo(-1);
        assertThatThrownBy(() -> assertTimeoutPreemptively(QUICKLY, () -> MilliValue.of(new BigDecimal("1e999999999"))))
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> MilliValue.of(new BigDecimal("9223372036854775.808"))).isInstanceOf(ArithmeticException.class);
    }
}

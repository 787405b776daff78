package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MoneyTest {

    static Stream<Arguments> exactAmounts() {
        return Stream.of(
                Arguments.of("100.00", "USD", 10000L, "100.00"),
                Arguments.of("100", "USD", 10000L, "100.00"),
                Arguments.of("0.01", "USD", 1L, "0.01"),
                Arguments.of("10.500", "USD", 1050L, "10.50"),
                Arguments.of("1e2", "USD", 10000L, "100.00"),
                Arguments.of("500", "JPY", 500L, "500"),
                Arguments.of("500.0", "JPY", 500L, "500"),
                Arguments.of("1.234", "BHD", 1234L, "1.234"),
                Arguments.of("-5.25", "EUR", -525L, "-5.25"),
                Arguments.of("92233720368547758.07", "USD", Long.MAX_VALUE, "92233720368547758.07"));
    }

    @ParameterizedTest(name = "{0} {1} is {2} minor units")
    @MethodSource("exactAmounts")
    void parsesExactly(String text, String currency, long minor, String formatted) {
        Money money = Money.parse(new BigDecimal(text), CurrencyCode.of(currency));

        assertThat(money.amountMinor()).isEqualTo(minor);
        assertThat(money.toDecimalString()).isEqualTo(formatted);
    }

    static Stream<Arguments> refusedAmounts() {
        return Stream.of(
                Arguments.of("10.505", "USD", "decimal places"),
                Arguments.of("0.001", "USD", "decimal places"),
                Arguments.of("1.5", "JPY", "decimal places"),
                Arguments.of("1.2345", "BHD", "decimal places"),
                Arguments.of("92233720368547758.08", "USD", "too large"),
                Arguments.of("1e30", "USD", "too large"),
                Arguments.of("1e999999999", "USD", "too large"),
                Arguments.of("1e-999999999", "USD", "decimal places"));
    }

    @ParameterizedTest(name = "{0} {1} is refused")
    @MethodSource("refusedAmounts")
    void refusesWhatItCannotRepresent(String text, String currency, String reason) {
        assertThatThrownBy(() -> Money.parse(new BigDecimal(text), CurrencyCode.of(currency)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @MethodSource("unknownCurrencies")
    void refusesUnknownCurrencies(String code) {
        assertThat(CurrencyCode.isKnown(code)).isFalse();
        assertThatThrownBy(() -> CurrencyCode.of(code)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<String> unknownCurrencies() {
        return Stream.of("usd", "US", "USDX", "ABC", "XAU", "XXX", "");
    }

    @ParameterizedTest
    @MethodSource("textAmounts")
    void parsesOnlyPlainDecimalText(String text, boolean accepted) {
        CurrencyCode usd = CurrencyCode.of("USD");
        if (accepted) {
            assertThat(Money.parse(text, usd).toDecimalString()).isNotEmpty();
        } else {
            assertThatThrownBy(() -> Money.parse(text, usd)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    static Stream<Arguments> textAmounts() {
        return Stream.of(
                Arguments.of("12.34", true), Arguments.of("12", true), Arguments.of("-1.00", true),
                Arguments.of("", false), Arguments.of(" 12", false), Arguments.of("12.", false),
                Arguments.of(".5", false), Arguments.of("1,5", false), Arguments.of("NaN", false),
                Arguments.of("Infinity", false), Arguments.of("0x10", false), Arguments.of("1e3", false));
    }
}

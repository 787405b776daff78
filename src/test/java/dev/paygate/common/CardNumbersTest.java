package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CardNumbersTest {

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of("4111111111111111", true),
                Arguments.of("pay with 4111 1111 1111 1111 please", true),
                Arguments.of("5500-0000-0000-0004", true),
                Arguments.of("378282246310005", true),
                Arguments.of("6011111111111117", true),
                Arguments.of("4111111111111112", false),
                Arguments.of("invoice 2026-11-24 order 12345", false),
                Arguments.of("123456789012", false),
                Arguments.of("41111111111111111111111", false),
                Arguments.of("rent for November", false));
    }

    @ParameterizedTest(name = "\"{0}\" holds a card number: {1}")
    @MethodSource("texts")
    void findsLuhnValidCardNumbers(String text, boolean card) {
        assertThat(CardNumbers.containsCardNumber(text)).isEqualTo(card);
    }

    static Stream<Arguments> identifiers() {
        return Stream.of(
                Arguments.of("4111 1111 1111 1111", true),
                Arguments.of("4111111111111111", true),
                // A UUID whose groups are digits that would pass Luhn if read as one grouped number.
                Arguments.of("a4111111-1111-1111-1111-000000000000", false),
                Arguments.of("customer-12-41111111-1111-4111-8111-111111111111", false),
                Arguments.of("auth0|5f7c8ec7c33c6c004bbafe82", false));
    }

    @ParameterizedTest(name = "identifier \"{0}\" holds a card number: {1}")
    @MethodSource("identifiers")
    void inIdentifiersOnlyUndashedCardNumbersCount(String identifier, boolean card) {
        assertThat(CardNumbers.containsCardNumberInIdentifier(identifier)).isEqualTo(card);
    }
}

package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MoneyProperties {

    @Provide
    Arbitrary<CurrencyCode> currencies() {
        return Arbitraries.of("USD", "EUR", "JPY", "BHD", "KWD", "GBP", "CLP", "ISK").map(CurrencyCode::of);
    }

    @Property
    void formattingThenParsingGivesTheSameMoney(@ForAll long minor, @ForAll("currencies") CurrencyCode currency) {
        Money money = Money.ofMinor(minor, currency);

        Money again = Money.parse(money.toDecimalString(), currency);

        assertThat(again).isEqualTo(money);
    }

    @Property
    void theDecimalStringAlwaysHasTheCurrencysDigits(@ForAll long minor, @ForAll("currencies") CurrencyCode currency) {
        String text = Money.ofMinor(minor, currency).toDecimalString();

        int digits = text.contains(".") ? text.length() - text.indexOf('.') - 1 : 0;
        assertThat(digits).isEqualTo(currency.exponent());
    }

    @Property
    void anAmountWithOneDigitTooManyIsRefused(@ForAll long minor, @ForAll("currencies") CurrencyCode currency) {
        // minor + 0.1 units of the smallest coin: never whole in that currency
        BigDecimal overPrecise = BigDecimal.valueOf(minor, currency.exponent())
                .add(BigDecimal.ONE.movePointLeft(currency.exponent() + 1));

        assertThatThrownBy(() -> Money.parse(overPrecise, currency)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void trailingZerosDoNotChangeTheAmount(@ForAll long minor, @ForAll("currencies") CurrencyCode currency) {
        BigDecimal exact = BigDecimal.valueOf(minor, currency.exponent());

        assertThat(Money.parse(exact.setScale(currency.exponent() + 3), currency).amountMinor()).isEqualTo(minor);
    }
}

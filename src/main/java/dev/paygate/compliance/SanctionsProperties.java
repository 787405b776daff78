package dev.paygate.compliance;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the sanctions list comes from and how closely a counterparty name must match it.
 *
 * @param enabled          screen counterparties of external transfers at all
 * @param list             the list in the OFAC SDN CSV layout ({@code sdn.csv}), a Spring resource location
 * @param alternateNames   optional alternate names in the OFAC {@code alt.csv} layout (aka, fka, nka)
 * @param threshold        the Jaro-Winkler similarity (0 to 1) of normalised names at which a name is a hit
 * @param reloadInterval   how often a list on the file system is checked for changes and reloaded
 */
@ConfigurationProperties("paygate.compliance.sanctions")
public record SanctionsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("classpath:sanctions/sdn-sample.csv") String list,
        @DefaultValue("classpath:sanctions/alt-sample.csv") @Nullable String alternateNames,
        @DefaultValue("0.92") double threshold,
        @DefaultValue("30s") Duration reloadInterval) {

    public SanctionsProperties {
        if (threshold <= 0 || threshold > 1) {
            throw new IllegalArgumentException("paygate.compliance.sanctions.threshold must be in (0, 1]: " + threshold);
        }
        if (reloadInterval.isNegative() || reloadInterval.isZero()) {
            throw new IllegalArgumentException("paygate.compliance.sanctions.reload-interval must be positive");
        }
        if (alternateNames != null && alternateNames.isBlank()) {
            alternateNames = null;
        }
    }
}

package dev.paygate;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** The feature packages depend on each other only through what they make public, and never in a cycle. */
class ModuleStructureTest {

    @Test
    void featurePackagesKeepTheirBoundaries() {
        ApplicationModules.of(PaygateApplication.class).verify();
    }
}

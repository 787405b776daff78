package dev.paygate.load;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Every transfer credits one merchant account from a random customer: the classic payment hot
 * spot, where unbatched transfers queue on the merchant's row lock one commit at a time.
 */
public class HotAccountSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Fixture fixture = new Fixture(settings);

    private final ScenarioBuilder payments = scenario("Hot account")
            .exec(session -> session.setAll(Fixture.transferAttributes(fixture.randomAccount(), fixture.merchant())))
            .exec(Paygate.transfer(fixture));

    {
        setUp(payments.injectOpen(settings.openArrivals()))
                .protocols(Paygate.protocol(settings))
                .assertions(Paygate.noErrors());
    }

    @Override
    public void before() {
        fixture.openAccounts(settings.accounts());
        fixture.openMerchant();
    }
}

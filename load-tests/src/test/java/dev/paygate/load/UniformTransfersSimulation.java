package dev.paygate.load;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Transfers between two accounts picked uniformly at random from {@code accounts} (10,000 by
 * default): little contention on any row, so the limit is the commit rate, not a lock.
 */
public class UniformTransfersSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Fixture fixture = new Fixture(settings);

    private final ScenarioBuilder transfers = scenario("Uniform transfers")
            .exec(session -> {
                Fixture.Account[] pair = fixture.randomPair();
                return session.setAll(Fixture.transferAttributes(pair[0], pair[1]));
            })
            .exec(Paygate.transfer(fixture));

    {
        setUp(transfers.injectOpen(settings.openArrivals()))
                .protocols(Paygate.protocol(settings))
                .assertions(Paygate.noErrors());
    }

    @Override
    public void before() {
        fixture.openAccounts(settings.accounts());
    }
}

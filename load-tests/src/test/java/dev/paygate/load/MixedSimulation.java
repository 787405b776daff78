package dev.paygate.load;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * What a busy API sees: 70% reads (balances, history pages, the status of a transfer made
 * earlier) and 30% transfers, all customers reading only what they own.
 */
public class MixedSimulation extends Simulation {

    static final int SEED_TRANSFERS = 200;

    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final Fixture fixture = new Fixture(settings);
    private final RecentTransfers recent = new RecentTransfers();

    private final ScenarioBuilder mixed = scenario("Mixed reads and transfers")
            .exec(session -> {
                Fixture.Account[] pair = fixture.randomPair();
                RecentTransfers.Made made = recent.pick();
                return session.setAll(Fixture.transferAttributes(pair[0], pair[1]))
                        .set("statusTransferId", made.transferId())
                        .set("statusToken", made.token() == null ? "" : made.token());
            })
            .exec(randomSwitch().on(
                    percent(30.0).then(Paygate.transfer(fixture).exec(session -> {
                        if (session.contains("transferId")) {
                            recent.add(session.getString("transferId"), session.getString("token"));
                        }
                        return session;
                    })),
                    percent(25.0).then(Paygate.balance(fixture)),
                    percent(25.0).then(Paygate.history(fixture)),
                    percent(20.0).then(exec(session -> session
                                    .set("transferId", session.getString("statusTransferId"))
                                    .set("token", session.getString("statusToken")))
                            .exec(Paygate.transferStatus(fixture)))));

    {
        setUp(mixed.injectOpen(settings.openArrivals()))
                .protocols(Paygate.protocol(settings))
                .assertions(Paygate.noErrors());
    }

    @Override
    public void before() {
        fixture.openAccounts(settings.accounts());
        // Status reads need transfers that exist before the first arrival, and history pages need rows.
        for (int i = 0; i < SEED_TRANSFERS; i++) {
            Fixture.Account[] pair = fixture.randomPair();
            recent.add(fixture.transfer(pair[0], pair[1]), pair[0].token());
        }
    }
}

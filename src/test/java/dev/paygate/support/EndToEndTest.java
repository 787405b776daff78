package dev.paygate.support;

import dev.paygate.PaygateTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Base of the end-to-end tests: the running gateway, a client API over it, and the ledger's state. */
@PaygateTest
public abstract class EndToEndTest {

    @Autowired
    protected WebTestClient client;

    @Autowired
    protected DatabaseClient db;

    protected Api api;
    protected LedgerState ledger;

    @BeforeEach
    void connect() {
        api = new Api(client);
        ledger = new LedgerState(db);
        awaitReady(client);
    }

    /** As a load balancer would: send nothing until the instance says it is ready. */
    public static void awaitReady(WebTestClient client) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> client.get().uri("/actuator/health/readiness").exchange()
                        .returnResult(String.class).getStatus().is2xxSuccessful());
    }
}

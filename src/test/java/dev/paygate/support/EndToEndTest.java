package dev.paygate.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the end-to-end tests: the running gateway, a client API over it, and the ledger's state.
 * Every response the client receives is checked against the API document ({@link ApiContract}).
 */
@PaygateTest
public abstract class EndToEndTest {

    @Autowired
    protected WebTestClient client;

    @Autowired
    protected DatabaseClient db;

    protected Api api;
    protected LedgerState ledger;

    private boolean contracted;

    @BeforeEach
    void connect() {
        ApiContract.paygate().drainViolations();
        if (!contracted) {
            client = contracted(client);
            contracted = true;
        }
        api = new Api(client);
        ledger = new LedgerState(db);
        awaitReady(client);
    }

    /** Fails the test if a response broke the contract even where the test swallowed the error. */
    @AfterEach
    void everyResponseWasDescribed() {
        assertThat(ApiContract.paygate().drainViolations()).as("responses not described by openapi.yaml").isEmpty();
    }

    /** The client with every response checked against the API document. */
    public static WebTestClient contracted(WebTestClient client) {
        return client.mutate().filter(ApiContract.paygate().filter()).build();
    }

    /** As a load balancer would: send nothing until the instance says it is ready. */
    public static void awaitReady(WebTestClient client) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> client.get().uri("/actuator/health/readiness").exchange()
                        .returnResult(String.class).getStatus().is2xxSuccessful());
    }
}

package dev.paygate.compliance;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Alert data and webhook deliveries go when their retention is over; open cases and pending work stay. */
class RetentionJobTest extends EndToEndTest {

    @Autowired
    RetentionJob retention;

    @Autowired
    RetentionProperties properties;

    @Test
    void alertsAndDeliveriesPastTheirRetentionAreDeletedAndOpenCasesStay() throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            User alice = api.newCustomer();
            UUID account = alice.openAccount("EUR");
            alice.post("/webhooks", Map.of("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                    "event_types", List.of("paygate.transaction.completed"))).expectStatus().isCreated();
            api.operator().deposit(account, "12000.00", "EUR");
            alice.post("/external-banks/" + SandboxBank.ID + "/transfers", Map.of("account_id", account.toString(),
                            "direction", "OUTBOUND", "amount", "6000.00", "currency", "EUR",
                            "counterparty", Map.of("name", "New Supplier Ltd", "iban", "DE89370400440532013000")))
                    .expectStatus().isAccepted();
            assertThat(alerts(account, "action = 'ALERT'")).as("large-amount alert on the deposit").isEqualTo(1);
            assertThat(alerts(account, "action = 'HOLD' AND status = 'OPEN'")).as("the payout held for review")
                    .isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> deliveries(alice.id(), "status = 'DELIVERED'") == 1);
            db.sql("UPDATE compliance_alerts SET created_at = created_at - :age::interval WHERE account_id = :account")
                    .bind("age", properties.alerts().plusDays(1).toSeconds() + " seconds").bind("account", account)
                    .fetch().rowsUpdated().block();
            db.sql("""
                            UPDATE webhook_deliveries SET created_at = created_at - :age::interval
                            WHERE webhook_id IN (SELECT id FROM webhooks WHERE owner = :owner)""")
                    .bind("age", properties.webhookDeliveries().plusDays(1).toSeconds() + " seconds")
                    .bind("owner", alice.id()).fetch().rowsUpdated().block();

            RetentionJob.Removed removed = retention.runAt(Instant.now()).block();

            assertThat(removed.alerts()).isGreaterThanOrEqualTo(1);
            assertThat(removed.webhookDeliveries()).isGreaterThanOrEqualTo(1);
            assertThat(alerts(account, "action = 'ALERT'")).isZero();
            assertThat(alerts(account, "action = 'HOLD' AND status = 'OPEN'"))
                    .as("an alert holding a transaction is an open case").isEqualTo(1);
            assertThat(deliveries(alice.id(), "true")).isZero();
            assertThat(alice.getJson("/accounts/" + account + "/balance").get("balance").asString())
                    .as("retention never touches money").isEqualTo("12000.00");
        } finally {
            receiver.stop(0);
        }
    }

    private long alerts(UUID account, String condition) {
        return db.sql("SELECT count(*) AS n FROM compliance_alerts WHERE account_id = :account AND " + condition)
                .bind("account", account).map(row -> row.get("n", Long.class)).one().block();
    }

    private long deliveries(String owner, String condition) {
        return db.sql("SELECT count(*) AS n FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                        + "WHERE w.owner = :owner AND " + condition)
                .bind("owner", owner).map(row -> row.get("n", Long.class)).one().block();
    }
}

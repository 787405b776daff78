package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class IdempotencyKeyCleanupTest extends EndToEndTest {

    @Autowired
    IdempotencyKeyCleanup cleanup;

    @Test
    void keysPastTheirRetentionAreDeletedAndYoungerOnesStay() {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        for (String key : new String[] {"old-1", "old-2", "fresh"}) {
            api.operator().post("/accounts/" + account + "/deposit", Map.of("amount", "1.00", "currency", "USD"), key)
                    .expectStatus().isCreated();
        }
        db.sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key LIKE 'old-%'")
                .fetch().rowsUpdated().block();

        Long deleted = cleanup.deleteOlderThan(Instant.now().minusSeconds(24 * 3600)).block();

        assertThat(deleted).isGreaterThanOrEqualTo(2);
        assertThat(keys("old-%")).isZero();
        assertThat(keys("fresh")).isEqualTo(1);
        api.operator().post("/accounts/" + account + "/deposit", Map.of("amount", "1.00", "currency", "USD"), "fresh")
                .expectStatus().isCreated().expectHeader().valueEquals("Idempotent-Replayed", "true");
        assertThat(alice.balance(account)).isEqualTo("3.00");
    }

    private long keys(String pattern) {
        return db.sql("SELECT count(*) AS n FROM idempotency_keys WHERE key LIKE :pattern").bind("pattern", pattern)
                .map(row -> row.get("n", Long.class)).one().block();
    }
}

package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/** The embedded PostgreSQL runs durable (the library's default is fsync off) without WAL zero-fill stalls, and with room for WAL between timed checkpoints. */
@PaygateTest
class EmbeddedDatabaseSettingsTest {

    @Autowired
    DatabaseClient db;

    @Test
    void commitsAreDurableAndWalIsNeitherZeroFilledNorCheckpointedEarly() {
        Map<String, String> expected = Map.of(
                "fsync", "on",
                "synchronous_commit", "on",
                "full_page_writes", "on",
                "wal_init_zero", "off",
                "max_wal_size", "4GB");
        expected.forEach((setting, value) -> assertThat(db.sql("SELECT current_setting(:name)")
                .bind("name", setting)
                .map(row -> row.get(0, String.class))
                .one()
                .block())
                .as(setting)
                .isEqualTo(value));
    }
}

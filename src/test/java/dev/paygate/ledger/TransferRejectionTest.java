package dev.paygate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.PaygateTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/** The database records the same ISO 20022 code for each refusal as the API answers with. */
@PaygateTest
class TransferRejectionTest {

    @Autowired
    DatabaseClient db;

    @ParameterizedTest
    @EnumSource(TransferRejection.class)
    void theDatabaseAndTheApiAgreeOnEachReasonCode(TransferRejection rejection) {
        String recorded = db.sql("SELECT rejection_reason_code(:name) AS code").bind("name", rejection.name())
                .map(row -> row.get("code", String.class)).one().block();

        assertThat(recorded).isEqualTo(rejection.reasonCode());
    }

    @Test
    void refusalsAreClientErrors() {
        for (TransferRejection rejection : TransferRejection.values()) {
            assertThat(rejection.status().is4xxClientError()).isTrue();
            assertThat(rejection.reasonCode()).matches("[A-Z0-9]{4}");
        }
    }
}

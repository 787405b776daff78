package dev.paygate.bank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.sandbox.SandboxBank;
import dev.paygate.support.Api;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.RecordedSpans;
import dev.paygate.support.SecondInstance;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.exporter.FinishedSpan;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A call to a bank is a client span in the trace of the request that made it. */
class BankTracingTest extends EndToEndTest {

    @Test
    void aBankCallIsAClientSpanInsideTheRequestsTrace() {
        try (ConfigurableApplicationContext traced = SecondInstance.start(RecordedSpans.SETTINGS)) {
            var client = SecondInstance.clientOf(traced);
            awaitReady(client);
            // Reconciliation reads the bank's statements while the request waits: the call is this instance's.
            new Api(client).operator().get("/external-banks/" + SandboxBank.ID + "/reconciliation?date="
                    + LocalDate.now(ZoneOffset.UTC)).expectStatus().isOk();

            RecordedSpans recorded = traced.getBean(RecordedSpans.class);
            FinishedSpan bankCall = Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                    () -> recorded.spans().stream()
                            .filter(span -> span.getKind() == Span.Kind.CLIENT)
                            .filter(span -> span.getTags().values().stream().anyMatch(value -> value.contains("/sandbox/banks/")))
                            .findFirst(), found -> found.isPresent()).orElseThrow();
            List<FinishedSpan> sameTrace = recorded.spans().stream()
                    .filter(span -> span.getTraceId().equals(bankCall.getTraceId())).toList();

            assertThat(bankCall.getName()).startsWith("http ");
            assertThat(sameTrace).as("the request's server span is in the bank call's trace")
                    .anyMatch(span -> span.getKind() == Span.Kind.SERVER
                            && span.getTags().values().stream().anyMatch(value -> value.contains("reconciliation")));
        }
    }
}

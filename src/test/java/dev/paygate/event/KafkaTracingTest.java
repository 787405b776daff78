package dev.paygate.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.TestKafkaBroker;
import dev.paygate.support.EndToEndTest;
import dev.paygate.support.RecordedSpans;
import dev.paygate.support.SecondInstance;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.exporter.FinishedSpan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The relay's Kafka sends are traced: a span per published batch that lasts until the broker
 * acknowledged it, a producer span per record under it, and the record carrying that trace in its
 * {@code traceparent} header. The suite's own relay is held so that the instance which records
 * its spans is the one that publishes.
 */
class KafkaTracingTest extends EndToEndTest {

    private static final String TOPIC = TestKafkaBroker.TOPIC;

    @Autowired
    OutboxRelay relay;

    @Test
    void aPublishedBatchIsASpanOverOneSendSpanPerRecordAndEachRecordCarriesItsTrace() {
        try (KafkaConsumer<String, String> consumer = KafkaDeliveryTest.consumer()) {
            relay.pause(true);
            try (ConfigurableApplicationContext traced = SecondInstance.start(RecordedSpans.SETTINGS)) {
                awaitReady(SecondInstance.clientOf(traced));
                UUID account = api.newCustomer().openAccount("EUR");
                api.operator().deposit(account, "1.00", "EUR");

                String[] traceparent = traceparentOf(consumer, account.toString()).split("-");
                assertThat(traceparent).hasSize(4);
                String traceId = traceparent[1];
                String sendSpanId = traceparent[2];

                RecordedSpans recorded = traced.getBean(RecordedSpans.class);
                FinishedSpan send = Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> find(recorded, sendSpanId), Optional::isPresent).orElseThrow();
                assertThat(send.getName()).isEqualTo("send " + TOPIC);
                assertThat(send.getKind()).isEqualTo(Span.Kind.PRODUCER);
                assertThat(send.getTraceId()).isEqualTo(traceId);
                assertThat(send.getTags()).containsEntry(KafkaPublisher.DESTINATION, TOPIC);

                FinishedSpan batch = Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> find(recorded, send.getParentId()), Optional::isPresent).orElseThrow();
                assertThat(batch.getName()).isEqualTo("publish " + TOPIC);
                assertThat(batch.getTraceId()).isEqualTo(traceId);
                assertThat(batch.getTags()).containsEntry(KafkaPublisher.DESTINATION, TOPIC)
                        .containsKey("messaging.batch.message_count");
                // The batch span waits for the broker's acknowledgement; a record's send span only hands it over.
                assertThat(batch.getEndTimestamp()).isAfterOrEqualTo(send.getEndTimestamp());
                assertThat(batch.getError()).isNull();
            } finally {
                relay.pause(false);
            }
        }
    }

    private static String traceparentOf(KafkaConsumer<String, String> consumer, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                if (key.equals(record.key())) {
                    Header header = record.headers().lastHeader("traceparent");
                    assertThat(header).as("the record's trace context").isNotNull();
                    return new String(header.value(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new AssertionError("no record with key " + key + " reached the topic");
    }

    private static Optional<FinishedSpan> find(RecordedSpans recorded, String spanId) {
        return recorded.spans().stream().filter(span -> span.getSpanId().equals(spanId)).findFirst();
    }
}

package dev.paygate.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * CloudEvents 1.0 in the JSON format: what Kafka consumers, SSE clients and webhooks receive.
 * The outbox position travels as the {@code sequence} extension attribute.
 */
@Component
class CloudEvents {

    static final String CONTENT_TYPE = "application/cloudevents+json";

    private final JsonMapper json;
    private final String source;
    private volatile Serialised lastForStreams;

    CloudEvents(JsonMapper json, EventsProperties properties) {
        this.json = json;
        this.source = properties.source();
    }

    private Map<String, Object> envelope(PaygateEvent event) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("specversion", "1.0");
        envelope.put("id", event.eventId().toString());
        envelope.put("source", source);
        envelope.put("type", event.type());
        envelope.put("time", event.time().toString());
        envelope.put("subject", event.subject());
        envelope.put("datacontenttype", "application/json");
        envelope.put("sequence", Long.toString(event.position()));
        if (event.transactionStatus() != null) {
            envelope.put("paygatestatus", event.transactionStatus());
        }
        envelope.put("data", event.data());
        return envelope;
    }

    byte[] toBytes(PaygateEvent event) {
        return json.writeValueAsBytes(envelope(event));
    }

    String toText(PaygateEvent event) {
        return json.writeValueAsString(envelope(event));
    }

    /**
     * {@link #toText}, remembering the last event: the bus hands one event object to every stream
     * that wants it, one after the other, so each is serialised once rather than once per stream.
     */
    String toTextForStreams(PaygateEvent event) {
        Serialised last = lastForStreams;
        if (last != null && last.event() == event) {
            return last.text();
        }
        String text = toText(event);
        lastForStreams = new Serialised(event, text);
        return text;
    }

    private record Serialised(PaygateEvent event, String text) { }

    /** An event read back from Kafka; {@code account} is the record's key, when it is an account. */
    PaygateEvent fromBytes(byte[] bytes, @org.jspecify.annotations.Nullable UUID account) {
        JsonNode envelope = json.readTree(bytes);
        JsonNode data = envelope.get("data");
        boolean transaction = envelope.get("type").asString().startsWith("paygate.transaction.");
        JsonNode status = envelope.get("paygatestatus");
        return new PaygateEvent(
                Long.parseLong(envelope.get("sequence").asString()),
                UUID.fromString(envelope.get("id").asString()),
                envelope.get("type").asString(),
                envelope.get("subject").asString(),
                java.time.Instant.parse(envelope.get("time").asString()),
                account == null ? java.util.List.of() : java.util.List.of(account),
                transaction ? UUID.fromString(envelope.get("subject").asString()) : null,
                status == null ? null : status.asString(),
                data);
    }
}

package dev.paygate.security;

import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;

/**
 * Masks structured (JSON) log lines as {@link LogMasking} says; named by
 * {@code logging.structured.json.customizer}, so it is made by the logging system, not Spring.
 */
public class MaskedStructuredLogs implements StructuredLoggingJsonMembersCustomizer<Object> {

    @Override
    public void customize(JsonWriter.Members<Object> members) {
        members.applyingValueProcessor(JsonWriter.ValueProcessor.of(String.class, LogMasking::mask));
    }
}

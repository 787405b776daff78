package dev.paygate.bank;

import dev.paygate.common.Actor;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The bank registry. Credentials are stored encrypted and read only to call the bank. */
@Repository
public class ExternalBanks {

    private static final String COLUMNS = "id, name, api_url, protocol, auth_method, sandbox, created_at, updated_at";

    private final DatabaseClient db;

    ExternalBanks(DatabaseClient db) {
        this.db = db;
    }

    /** Registers a bank and writes its audit row in the same statement. */
    Mono<Bank> create(UUID id, String name, String apiUrl, String protocol, AuthMethod method, String encryptedCredentials,
                      boolean sandbox, Actor actor) {
        var spec = db.sql("""
                        WITH created AS (
                            INSERT INTO external_banks (id, name, api_url, protocol, auth_method, credentials, sandbox)
                            VALUES (:id, :name, :url, :protocol, :method, :credentials, :sandbox)
                            RETURNING *
                        ), audit AS (
                            INSERT INTO audit_log (id, actor, action, resource, outcome, details, client_ip, trace_id)
                            SELECT uuid_v7(), :actor, 'BANK_REGISTERED', 'bank:' || id, 'OK',
                                   jsonb_build_object('name', name, 'api_url', api_url, 'protocol', protocol), :ip, :trace
                            FROM created
                        )
                        SELECT\s""" + COLUMNS + " FROM created")
                .bind("id", id).bind("name", name).bind("url", apiUrl).bind("protocol", protocol)
                .bind("method", method.name())
                .bind("credentials", encryptedCredentials).bind("sandbox", sandbox).bind("actor", actor.userId());
        spec = actor.bindAddressAndTrace(spec);
        return spec.map(ExternalBanks::bank).one();
    }

    /** Points a bank at a new address (the sandbox's, which depends on the port); audited. */
    Mono<Bank> moveTo(UUID id, String apiUrl) {
        return db.sql("""
                        WITH moved AS (
                            UPDATE external_banks SET api_url = :url, updated_at = now() WHERE id = :id AND api_url <> :url
                            RETURNING *
                        ), audit AS (
                            INSERT INTO audit_log (id, actor, action, resource, outcome, details)
                            SELECT uuid_v7(), 'system', 'BANK_CHANGED', 'bank:' || id, 'OK',
                                   jsonb_build_object('api_url', api_url)
                            FROM moved
                        )
                        SELECT\s""" + COLUMNS + " FROM external_banks WHERE id = :id")
                .bind("id", id).bind("url", apiUrl)
                .map(ExternalBanks::bank).one();
    }

    public Mono<Bank> find(UUID id) {
        return db.sql("SELECT " + COLUMNS + " FROM external_banks WHERE id = :id").bind("id", id)
                .map(ExternalBanks::bank).one();
    }

    Flux<Bank> list() {
        return db.sql("SELECT " + COLUMNS + " FROM external_banks ORDER BY name").map(ExternalBanks::bank).all();
    }

    /** The encrypted credentials, for the connector and for the sandbox that verifies them. */
    public Mono<String> encryptedCredentials(UUID id) {
        return db.sql("SELECT credentials FROM external_banks WHERE id = :id").bind("id", id)
                .map(row -> row.get("credentials", String.class)).one();
    }

    /** The database refused a second bank of the same name (the UNIQUE constraint on name). */
    static boolean isNameTaken(Throwable error) {
        return error instanceof org.springframework.dao.DataIntegrityViolationException
                && String.valueOf(error.getMessage()).contains("external_banks_name_key");
    }

    private static Bank bank(Readable row) {
        return new Bank(row.get("id", UUID.class), row.get("name", String.class), row.get("api_url", String.class),
                row.get("protocol", String.class), AuthMethod.valueOf(row.get("auth_method", String.class)),
                Boolean.TRUE.equals(row.get("sandbox", Boolean.class)),
                instant(row, "created_at"), instant(row, "updated_at"));
    }

    private static Instant instant(Readable row, String column) {
        OffsetDateTime value = row.get(column, OffsetDateTime.class);
        return value == null ? Instant.EPOCH : value.toInstant();
    }

    /** How Paygate proves who it is to a bank. */
    public enum AuthMethod {
        /** Each request signed with HMAC-SHA256 over method, path, timestamp and body. */
        HMAC,
        /** A bearer token from the bank's OAuth2 token endpoint (client credentials), cached until it expires. */
        OAUTH2
    }

    /** A registered bank, as the API shows it: never its credentials. */
    public record Bank(UUID id, String name, String apiUrl, String protocol, AuthMethod authMethod, boolean sandbox,
                       Instant createdAt, Instant updatedAt) {
    }
}

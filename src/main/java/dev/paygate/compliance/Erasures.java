package dev.paygate.compliance;

import dev.paygate.common.Actor;
import dev.paygate.common.SecretKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.core.env.Environment;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * GDPR erasure: the database function {@code user_erase} does the work in one transaction; this
 * side gives it the user's pseudonym, an HMAC of the user id under the erasure key.
 */
@Repository
class Erasures {

    private static final String PSEUDONYM_PREFIX = "erased-";
    private static final int PSEUDONYM_BYTES = 16;

    private final DatabaseClient db;
    private final JsonMapper json;
    private final SecretKeySpec key;

    Erasures(DatabaseClient db, JsonMapper json, ErasureProperties properties, Environment environment) {
        this.db = db;
        this.json = json;
        this.key = new SecretKeySpec(SecretKeys.configuredOrGenerated("paygate.compliance.erasure.pseudonym-key",
                properties.pseudonymKey(), properties.pseudonymKeyFile(), environment), "HmacSHA256");
    }

    /** What the user's records carry instead of their id once erased: the same for the same id. */
    String pseudonymOf(String userId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal(userId.getBytes(StandardCharsets.UTF_8));
            return PSEUDONYM_PREFIX + HexFormat.of().formatHex(digest, 0, PSEUDONYM_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    /** Erases the user, or says why not; see {@code user_erase} for the outcomes. */
    Mono<JsonNode> erase(String userId, Actor actor) {
        var spec = db.sql("SELECT user_erase(:user, :pseudonym, :actor, :ip, :trace)::text AS outcome")
                .bind("user", userId).bind("pseudonym", pseudonymOf(userId)).bind("actor", actor.userId());
        spec = actor.bindAddressAndTrace(spec);
        return spec.map(row -> json.readTree(row.get("outcome", String.class))).one();
    }
}

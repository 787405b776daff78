package dev.paygate.ledger;

import dev.paygate.common.Actor;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Money;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One movement of money asked of the ledger. A {@code null} account is the system side: the cash
 * account of the amount's currency, or with a {@code bankId}, that bank's settlement account.
 *
 * @param mode          what the movement does once its checks pass
 * @param requiredOwner when set, {@code from} must belong to this user, else the account is "not found"
 * @param counterparty  who is on the other side at an external bank (name, iban or account number)
 * @param review        when not empty, why the movement must wait ON_HOLD for a compliance review
 *                      ({@code rule_id} and {@code details}, e.g. a sanctions list match)
 */
public record LedgerCommand(
        UUID id,
        TransactionType type,
        Mode mode,
        @Nullable UUID from,
        @Nullable UUID to,
        Money amount,
        @Nullable String description,
        Map<String, String> metadata,
        @Nullable UUID bankId,
        Map<String, String> counterparty,
        @Nullable String requiredOwner,
        Actor actor,
        @Nullable IdempotencyKey idempotencyKey,
        Map<String, Object> review) {

    /** What a movement does once its checks pass. */
    public enum Mode {
        /** Debit and credit now: COMPLETED. */
        MOVE,
        /** Reserve the amount on the source (held += amount): PENDING until posted or voided. */
        HOLD,
        /** Move nothing yet; money is expected from a bank: PENDING until it confirms. */
        RECORD
    }

    public LedgerCommand {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(actor, "actor");
        metadata = Map.copyOf(metadata);
        counterparty = Map.copyOf(counterparty);
        review = Map.copyOf(review);
        if (!amount.isPositive()) {
            throw new IllegalArgumentException("a ledger movement must be positive: " + amount);
        }
        if (from == null && to == null) {
            throw new IllegalArgumentException("a ledger movement needs at least one customer account");
        }
        if ((mode == Mode.HOLD) != (type == TransactionType.EXTERNAL_OUTBOUND && from != null)) {
            throw new IllegalArgumentException("holds are for payouts from a customer account");
        }
    }

    /** A movement that no compliance check has asked to hold for review. */
    public LedgerCommand(UUID id, TransactionType type, Mode mode, @Nullable UUID from, @Nullable UUID to, Money amount,
                         @Nullable String description, Map<String, String> metadata, @Nullable UUID bankId,
                         Map<String, String> counterparty, @Nullable String requiredOwner, Actor actor,
                         @Nullable IdempotencyKey idempotencyKey) {
        this(id, type, mode, from, to, amount, description, metadata, bankId, counterparty, requiredOwner, actor,
                idempotencyKey, Map.of());
    }

    /** A movement between accounts (or to and from the cash account) that completes at once. */
    public static LedgerCommand move(TransactionType type, @Nullable UUID from, @Nullable UUID to, Money amount,
                                     @Nullable String description, Map<String, String> metadata,
                                     @Nullable String requiredOwner, Actor actor, @Nullable IdempotencyKey key) {
        return new LedgerCommand(dev.paygate.common.Ids.next(), type, Mode.MOVE, from, to, amount, description,
                metadata, null, Map.of(), requiredOwner, actor, key, Map.of());
    }
}

package dev.paygate.bank;

import dev.paygate.bank.BankRequests.ExternalTransfer;
import dev.paygate.bank.BankRequests.RegisterBank;
import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import dev.paygate.common.Caller.Role;
import dev.paygate.common.Callers;
import dev.paygate.common.CurrencyCode;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.FieldErrorsFactory;
import dev.paygate.common.IdempotencyKey;
import dev.paygate.common.Ids;
import dev.paygate.common.Money;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import dev.paygate.compliance.SanctionsScreening;
import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.LedgerResponses;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** HTTP in and out for external banks: the registry, transfers, health and reconciliation. */
@Component
class BankHandler {

    private final ExternalBanks banks;
    private final BankTransfers transfers;
    private final BankDispatches dispatches;
    private final BankResilience resilience;
    private final Reconciliation reconciliation;
    private final CredentialsCipher cipher;
    private final BankConnectors connectors;
    private final Ledger ledger;
    private final SanctionsScreening sanctions;
    private final Callers callers;
    private final FieldErrorsFactory fieldErrors;
    private final JsonMapper json;

    BankHandler(ExternalBanks banks, BankTransfers transfers, BankDispatches dispatches, BankResilience resilience,
                Reconciliation reconciliation, CredentialsCipher cipher, BankConnectors connectors, Ledger ledger,
                SanctionsScreening sanctions, Callers callers, FieldErrorsFactory fieldErrors, JsonMapper json) {
        this.banks = banks;
        this.transfers = transfers;
        this.dispatches = dispatches;
        this.resilience = resilience;
        this.reconciliation = reconciliation;
        this.cipher = cipher;
        this.connectors = connectors;
        this.ledger = ledger;
        this.sanctions = sanctions;
        this.callers = callers;
        this.fieldErrors = fieldErrors;
        this.json = json;
    }

    Mono<ServerResponse> register(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.BANKS_WRITE);
            caller.requireRole(Role.ADMIN);
            return RequestBodies.required(request, RegisterBank.class).flatMap(body -> {
                FieldErrors errors = fieldErrors.create();
                String name = errors.text("name", body.name(), 100, true);
                String url = errors.text("api_url", body.apiUrl(), 2000, true);
                if (url != null && !isHttpUrl(url)) {
                    errors.add("api_url", "must be an absolute http or https URL");
                }
                String protocol = body.protocol() == null ? HttpBankConnector.PROTOCOL : body.protocol();
                if (!connectors.protocols().contains(protocol)) {
                    errors.add("protocol", "must be one of " + String.join(", ", connectors.protocols()));
                }
                ExternalBanks.AuthMethod method = errors.oneOf("auth_method", body.authMethod(), ExternalBanks.AuthMethod.class);
                if (body.authMethod() == null) {
                    errors.add("auth_method", "is required: HMAC or OAUTH2");
                }
                Map<String, String> credentials = body.credentials() == null ? Map.of() : body.credentials();
                if (method == ExternalBanks.AuthMethod.HMAC && !hasAll(credentials, "key_id", "secret")) {
                    errors.add("credentials", "HMAC needs key_id and secret");
                }
                if (method == ExternalBanks.AuthMethod.OAUTH2 && !hasAll(credentials, "client_id", "client_secret")) {
                    errors.add("credentials", "OAUTH2 needs client_id and client_secret (and optionally token_url)");
                }
                errors.throwIfAny();
                return banks.create(Ids.next(), name, url.replaceAll("/+$", ""), protocol, method,
                                cipher.encrypt(json.writeValueAsString(credentials)), false, caller.actor())
                        .onErrorMap(ExternalBanks::isNameTaken, taken -> new ApiException(ApiProblem.BANK_NAME_TAKEN,
                                "A bank named '" + name + "' is registered already; bank names are unique."));
            });
        }).flatMap(bank -> ServerResponse.created(URI.create("/external-banks/" + bank.id())).bodyValue(bank));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.BANKS_READ);
            return banks.list().collectList();
        }).flatMap(list -> ServerResponse.ok().bodyValue(Map.of("data", list)));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.BANKS_READ);
            return bank(request);
        }).flatMap(bank -> ServerResponse.ok().bodyValue(bank));
    }

    Mono<ServerResponse> transfer(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_WRITE);
            return bank(request).flatMap(bank -> RequestBodies.required(request, ExternalTransfer.class)
                    .flatMap(body -> record(request, bank, body, caller)));
        }).flatMap(outcome -> LedgerResponses.respond(outcome, HttpStatus.ACCEPTED, id -> "/transfers/" + id));
    }

    Mono<ServerResponse> health(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.BANKS_READ);
            return bank(request).flatMap(bank -> dispatches.inFlight(bank.id()).map(pending -> {
                CircuitBreaker circuit = resilience.circuit(bank.id());
                Map<String, Object> health = new LinkedHashMap<>();
                health.put("bank_id", bank.id());
                health.put("circuit_state", circuit.getState().name());
                health.put("failure_rate", rate(circuit.getMetrics().getFailureRate()));
                health.put("slow_call_rate", rate(circuit.getMetrics().getSlowCallRate()));
                health.put("pending_transfers", pending);
                health.put("updated_at", Instant.now());
                return health;
            }));
        }).flatMap(health -> ServerResponse.ok().bodyValue(health));
    }

    Mono<ServerResponse> reconciliation(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.BANKS_READ);
            caller.requireRole(Role.OPERATOR, Role.ADMIN);
            LocalDate date = date(RequestBodies.query(request, "date"));
            return bank(request).flatMap(bank -> reconciliation.of(bank.id(), date));
        }).flatMap(report -> ServerResponse.ok().bodyValue(report));
    }

    private Mono<dev.paygate.ledger.LedgerOutcome> record(ServerRequest request, ExternalBanks.Bank bank,
                                                         ExternalTransfer body, Caller caller) {
        FieldErrors errors = fieldErrors.create();
        UUID account = errors.uuid("account_id", body.accountId(), true);
        BankTransfers.Direction direction = errors.oneOf("direction", body.direction(), BankTransfers.Direction.class);
        if (body.direction() == null) {
            errors.add("direction", "is required: OUTBOUND or INBOUND");
        }
        CurrencyCode currency = errors.currency("currency", body.currency());
        Money amount = errors.positiveAmount("amount", body.amount(), currency);
        String description = errors.text("description", body.description(), 500, false);
        Map<String, String> counterparty = counterparty(body.counterparty(), errors);
        errors.throwIfAny();
        String canonical = "POST /external-banks/" + bank.id() + "/transfers\n" + account + "\n" + direction + "\n"
                + amount.amountMinor() + " " + currency + "\n" + new TreeMap<>(counterparty) + "\n" + description;
        IdempotencyKey key = IdempotencyKey.of(caller.userId(), request.headers().firstHeader(IdempotencyKey.HEADER),
                canonical);
        // A customer pays out only from, and collects only into, an account of their own.
        return ledger.canSeeAccount(account, caller).flatMap(visible -> visible
                ? sanctions.reviewFor(counterparty.get("name")).flatMap(review -> transfers.record(bank.id(), account,
                        direction, amount, counterparty, description, caller.confinedTo(), caller.actor(), key, review))
                : Mono.error(ApiException.notFound(ApiProblem.ACCOUNT_NOT_FOUND, account)));
    }

    private static Map<String, String> counterparty(BankRequests.@Nullable Counterparty counterparty, FieldErrors errors) {
        if (counterparty == null) {
            errors.add("counterparty", "is required: name and iban or account_number");
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        String name = errors.text("counterparty.name", counterparty.name(), 140, true);
        if (name != null) {
            result.put("name", name);
        }
        if ((counterparty.iban() == null) == (counterparty.accountNumber() == null)) {
            errors.add("counterparty", "needs exactly one of iban and account_number");
        } else if (counterparty.iban() != null) {
            String iban = Iban.normalizedOrNull(counterparty.iban());
            if (iban == null) {
                errors.add("counterparty.iban", "is not a valid IBAN (length or check digits)");
            } else {
                result.put("iban", iban);
            }
        } else if (!counterparty.accountNumber().matches("[A-Za-z0-9-]{4,34}")) {
            errors.add("counterparty.account_number", "must be 4 to 34 letters, digits or dashes");
        } else {
            result.put("account_number", counterparty.accountNumber());
        }
        return result;
    }

    private Mono<ExternalBanks.Bank> bank(ServerRequest request) {
        UUID id = RequestBodies.pathId(request, "bank_id");
        return banks.find(id).switchIfEmpty(Mono.error(() -> ApiException.notFound(ApiProblem.BANK_NOT_FOUND, id)));
    }

    private static LocalDate date(@Nullable String text) {
        if (text == null) {
            throw ApiException.invalid("date", "is required: YYYY-MM-DD");
        }
        LocalDate date;
        try {
            date = LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("date", "must be a date such as 2026-01-31");
        }
        if (date.getYear() < 2000 || date.isAfter(LocalDate.now(java.time.ZoneOffset.UTC))) {
            throw ApiException.invalid("date", "must be a day from 2000-01-01 to today");
        }
        return date;
    }

    private static @Nullable Float rate(float rate) {
        return rate < 0 ? null : rate;
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static boolean hasAll(Map<String, String> map, String... keys) {
        for (String key : keys) {
            if (map.get(key) == null || map.get(key).isBlank()) {
                return false;
            }
        }
        return true;
    }
}

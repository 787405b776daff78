package dev.paygate.sandbox;

import dev.paygate.bank.BankProtocol.BankStatus;
import dev.paygate.bank.BankProtocol.PaymentOrder;
import dev.paygate.bank.BankProtocol.Statement;
import dev.paygate.bank.BankRegistry;
import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller.Role;
import dev.paygate.common.Callers;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sandbox bank's side of the protocol. Before it answers, a call may suffer the bank's faults:
 * latency; an error (500, nothing executed); a time-out (no answer, nothing executed); for a
 * payment, execute-then-time-out (executed, no answer) or a refusal (REJECTED, reason AM04).
 */
@Component
class SandboxHandler {

    private static final String REFUSAL_REASON = "AM04";

    private final SandboxPayments payments;
    private final SandboxFaults faults;
    private final SandboxAuth auth;
    private final BankRegistry registry;
    private final SandboxProperties properties;
    private final Callers callers;
    private final JsonMapper json;

    SandboxHandler(SandboxPayments payments, SandboxFaults faults, SandboxAuth auth, BankRegistry registry,
                   SandboxProperties properties, Callers callers, JsonMapper json) {
        this.payments = payments;
        this.faults = faults;
        this.auth = auth;
        this.registry = registry;
        this.properties = properties;
        this.callers = callers;
        this.json = json;
    }

    Mono<ServerResponse> pay(ServerRequest request) {
        UUID bank = RequestBodies.pathId(request, "bank_id");
        return authenticated(request, bank).flatMap(body -> {
            PaymentOrder order = order(body);
            return faulted(bank, true, fault -> switch (fault) {
                case REFUSE -> payments.record(bank, order, BankStatus.REJECTED, REFUSAL_REASON).flatMap(this::ok);
                case EXECUTE_THEN_TIMEOUT -> payments.record(bank, order, BankStatus.EXECUTED, null).then(stall());
                default -> payments.record(bank, order, BankStatus.EXECUTED, null).flatMap(this::ok);
            });
        });
    }

    Mono<ServerResponse> inquire(ServerRequest request) {
        UUID bank = RequestBodies.pathId(request, "bank_id");
        UUID payment = RequestBodies.pathId(request, "payment_id");
        return authenticated(request, bank).flatMap(body -> faulted(bank, false, fault ->
                payments.find(bank, payment).flatMap(this::ok)
                        .switchIfEmpty(Mono.defer(() -> ServerResponse.notFound().build()))));
    }

    Mono<ServerResponse> cancel(ServerRequest request) {
        UUID bank = RequestBodies.pathId(request, "bank_id");
        UUID payment = RequestBodies.pathId(request, "payment_id");
        return authenticated(request, bank).flatMap(body -> faulted(bank, false, fault ->
                payments.cancel(bank, payment).flatMap(this::ok)));
    }

    Mono<ServerResponse> statement(ServerRequest request) {
        UUID bank = RequestBodies.pathId(request, "bank_id");
        LocalDate date = date(request.pathVariable("date"));
        return authenticated(request, bank).flatMap(body -> payments.statement(bank, date).collectList()
                .flatMap(lines -> ok(new Statement(date, lines))));
    }

    Mono<ServerResponse> token(ServerRequest request) {
        UUID bank = RequestBodies.pathId(request, "bank_id");
        return request.formData().flatMap(form -> {
            if (!"client_credentials".equals(form.getFirst("grant_type"))) {
                return ServerResponse.badRequest().bodyValue(Map.of("error", "unsupported_grant_type"));
            }
            return auth.issueToken(bank, String.valueOf(form.getFirst("client_id")),
                            String.valueOf(form.getFirst("client_secret")))
                    // As token endpoints do, the answer carries more than Paygate reads (scope).
                    .flatMap(token -> ok(Map.of("access_token", token.accessToken(), "token_type", token.tokenType(),
                            "expires_in", token.expiresIn(), "scope", "payments")))
                    .switchIfEmpty(Mono.defer(() -> ServerResponse.status(HttpStatus.UNAUTHORIZED)
                            .bodyValue(Map.of("error", "invalid_client"))));
        });
    }

    Mono<ServerResponse> faults(ServerRequest request) {
        return sandboxBankForAdmin(request).flatMap(faults::knobs).flatMap(knobs -> ok(view(knobs)));
    }

    Mono<ServerResponse> setFaults(ServerRequest request) {
        return sandboxBankForAdmin(request).flatMap(bank -> RequestBodies.required(request, FaultSettings.class)
                .flatMap(body -> faults.set(bank, validated(body))))
                .flatMap(knobs -> ok(view(knobs)));
    }

    /** A payment order as the protocol defines it; 400 for anything else, as a bank would answer. */
    private PaymentOrder order(String body) {
        PaymentOrder order;
        try {
            order = json.readValue(body, PaymentOrder.class);
        } catch (tools.jackson.core.JacksonException malformed) {
            throw new ApiException(ApiProblem.MALFORMED_REQUEST, "Not a payment order of the bank protocol.");
        }
        FieldErrors errors = new FieldErrors();
        if (order == null || order.paymentId() == null) {
            errors.add("payment_id", "is required");
        }
        if (order != null && !"OUTBOUND".equals(order.direction()) && !"INBOUND".equals(order.direction())) {
            errors.add("direction", "must be OUTBOUND or INBOUND");
        }
        if (order != null && (order.amount() == null || !order.amount().matches("[0-9]{1,19}(\\.[0-9]{1,4})?"))) {
            errors.add("amount", "must be a decimal amount");
        }
        if (order != null && (order.currency() == null || !order.currency().matches("[A-Z]{3}"))) {
            errors.add("currency", "must be an ISO 4217 code");
        }
        errors.throwIfAny();
        return order;
    }

    /** The body of an authentic call; 401 otherwise. */
    private Mono<String> authenticated(ServerRequest request, UUID bank) {
        return request.bodyToMono(String.class).defaultIfEmpty("")
                .flatMap(body -> auth.refusal(bank, request.method().name(), request.path(), request.headers().asHttpHeaders(), body)
                        .flatMap(reason -> Mono.<String>error(new ApiException(ApiProblem.UNAUTHENTICATED,
                                "The sandbox bank refused the call: " + reason + ".")))
                        .defaultIfEmpty(body));
    }

    private Mono<ServerResponse> faulted(UUID bank, boolean isPayment,
                                         java.util.function.Function<SandboxFaults.Fault, Mono<ServerResponse>> answer) {
        return faults.knobs(bank).flatMap(knobs -> {
            SandboxFaults.Fault fault = knobs.draw(isPayment);
            Mono<ServerResponse> outcome = switch (fault) {
                case ERROR -> ServerResponse.status(HttpStatus.INTERNAL_SERVER_ERROR)
                        .bodyValue(Map.of("error", "sandbox fault: internal error"));
                case TIMEOUT -> stall();
                default -> answer.apply(fault);
            };
            return knobs.latencyMs() > 0 ? Mono.delay(Duration.ofMillis(knobs.latencyMs())).then(outcome) : outcome;
        });
    }

    /** No answer within any sensible call timeout: the caller cannot know what happened. */
    private Mono<ServerResponse> stall() {
        return Mono.delay(properties.stall()).then(ServerResponse.status(HttpStatus.GATEWAY_TIMEOUT).build());
    }

    private Mono<UUID> sandboxBankForAdmin(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.BANKS_WRITE);
            caller.requireRole(Role.ADMIN);
            UUID bank = RequestBodies.pathId(request, "bank_id");
            return registry.find(bank).filter(found -> found.sandbox() || found.apiUrl().contains("/sandbox/banks/"))
                    .switchIfEmpty(Mono.error(() -> ApiException.notFound(ApiProblem.BANK_NOT_FOUND, bank)))
                    .thenReturn(bank);
        });
    }

    private static SandboxFaults.Knobs validated(FaultSettings body) {
        FieldErrors errors = new FieldErrors();
        int latency = body.latencyMs() == null ? 0 : body.latencyMs();
        if (latency < 0 || latency > 60_000) {
            errors.add("latency_ms", "must be 0..60000");
        }
        double error = rate("error_rate", body.errorRate(), errors);
        double timeout = rate("timeout_rate", body.timeoutRate(), errors);
        double executeThenTimeout = rate("execute_then_timeout_rate", body.executeThenTimeoutRate(), errors);
        double refuse = rate("refuse_rate", body.refuseRate(), errors);
        // A little slack for binary fractions: 0.1 + 0.2 + 0.3 + 0.4 is a hair over 1.
        if (error + timeout + executeThenTimeout + refuse > 1.0 + 1e-9) {
            errors.add("error_rate", "the rates together must not exceed 1");
        }
        errors.throwIfAny();
        return new SandboxFaults.Knobs(latency, error, timeout, executeThenTimeout, refuse, body.seed());
    }

    private static double rate(String field, @Nullable Double value, FieldErrors errors) {
        if (value == null) {
            return 0;
        }
        if (value < 0 || value > 1 || value.isNaN()) {
            errors.add(field, "must be a share from 0 to 1");
            return 0;
        }
        return value;
    }

    private static Map<String, Object> view(SandboxFaults.Knobs knobs) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("latency_ms", knobs.latencyMs());
        view.put("error_rate", knobs.errorRate());
        view.put("timeout_rate", knobs.timeoutRate());
        view.put("execute_then_timeout_rate", knobs.executeThenTimeoutRate());
        view.put("refuse_rate", knobs.refuseRate());
        view.put("seed", knobs.seed());
        return view;
    }

    private static LocalDate date(String text) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("date", "must be a date such as 2026-01-31");
        }
    }

    private Mono<ServerResponse> ok(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    record FaultSettings(@Nullable Integer latencyMs, @Nullable Double errorRate, @Nullable Double timeoutRate,
                         @Nullable Double executeThenTimeoutRate, @Nullable Double refuseRate, @Nullable Long seed) {
    }
}

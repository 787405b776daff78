package dev.paygate.compliance;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import dev.paygate.common.Caller.Role;
import dev.paygate.common.Callers;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.FieldErrorsFactory;
import dev.paygate.common.Page;
import dev.paygate.common.PageCursor;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import dev.paygate.compliance.KycRecords.LimitsView;
import dev.paygate.compliance.KycRecords.SetLevel;
import dev.paygate.ledger.Ledger;
import dev.paygate.ledger.TransactionView;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ObjectNode;

/** HTTP in and out for KYC levels, limits, alerts and review decisions. */
@Component
class ComplianceHandler {

    private static final int USER_ID_LENGTH_MAX = 255;
    private static final int NOTE_LENGTH_MAX = 500;

    private final KycLevels levels;
    private final Alerts alerts;
    private final Ledger ledger;
    private final SanctionsScreening sanctions;
    private final PersonalData personalData;
    private final Erasures erasures;
    private final Callers callers;
    private final FieldErrorsFactory fieldErrors;

    ComplianceHandler(KycLevels levels, Alerts alerts, Ledger ledger, SanctionsScreening sanctions,
                      PersonalData personalData, Erasures erasures, Callers callers,
                      FieldErrorsFactory fieldErrors) {
        this.levels = levels;
        this.alerts = alerts;
        this.ledger = ledger;
        this.sanctions = sanctions;
        this.personalData = personalData;
        this.erasures = erasures;
        this.callers = callers;
        this.fieldErrors = fieldErrors;
    }

    Mono<ServerResponse> setLevel(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            caller.requireRole(Role.OPERATOR, Role.ADMIN);
            String userId = userId(request);
            return RequestBodies.required(request, SetLevel.class).flatMap(body -> {
                FieldErrors errors = fieldErrors.create();
                KycLevel level = errors.oneOf("level", body.level(), KycLevel.class);
                if (body.level() == null) {
                    errors.add("level", "is required");
                }
                String note = errors.text("note", body.note(), NOTE_LENGTH_MAX, false);
                errors.throwIfAny();
                return levels.set(userId, level, note, caller.actor());
            });
        }).flatMap(view -> ServerResponse.ok().bodyValue(view));
    }

    Mono<ServerResponse> level(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            String userId = visibleUser(request, caller);
            return levels.find(userId);
        }).flatMap(view -> ServerResponse.ok().bodyValue(view));
    }

    Mono<ServerResponse> limits(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            String userId = visibleUser(request, caller);
            return levels.find(userId).flatMap(level -> levels.limits(userId).collectList()
                    .map(limits -> new LimitsView(userId, level.level(), limits)));
        }).flatMap(view -> ServerResponse.ok().bodyValue(view));
    }

    Mono<ServerResponse> alerts(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            caller.requireRole(Role.OPERATOR, Role.ADMIN);
            FieldErrors errors = fieldErrors.create();
            String status = RequestBodies.query(request, "status");
            if (status != null && !status.matches("OPEN|APPROVED|REJECTED|CLOSED")) {
                errors.add("status", "must be one of OPEN, APPROVED, REJECTED, CLOSED");
            }
            String rule = RequestBodies.query(request, "rule");
            UUID account = errors.uuid("account_id", RequestBodies.query(request, "account_id"), false);
            int limit = PageCursor.limit(RequestBodies.query(request, "limit"), errors);
            UUID before = PageCursor.decode(RequestBodies.query(request, "cursor"), errors);
            errors.throwIfAny();
            return alerts.page(status, rule, account, before, limit + 1).collectList()
                    .map(rows -> Page.of(rows, limit, Alerts.AlertView::id, row -> row));
        }).flatMap(page -> ServerResponse.ok().bodyValue(page));
    }

    Mono<ServerResponse> review(ServerRequest request, boolean approve) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.TRANSFERS_WRITE);
            caller.requireRole(Role.OPERATOR, Role.ADMIN);
            UUID id = RequestBodies.pathId(request, "transfer_id");
            return request.bodyToMono(ReviewDecision.class).defaultIfEmpty(new ReviewDecision(null))
                    .flatMap(body -> {
                        FieldErrors errors = fieldErrors.create();
                        String reason = errors.text("reason", body.reason(), NOTE_LENGTH_MAX, !approve);
                        errors.throwIfAny();
                        return ledger.findVisible(id, caller)
                                .then(alerts.review(id, approve, reason, caller.actor()))
                                .switchIfEmpty(Mono.error(() -> new ApiException(ApiProblem.REVIEW_NOT_PENDING,
                                        "Transaction " + id + " is not on hold for review (already decided, or never held).")))
                                .flatMap(reviewed -> ledger.findVisible(reviewed, caller));
                    });
        }).flatMap(transaction -> ServerResponse.ok().bodyValue(TransactionView.of(transaction)));
    }

    /** A GDPR access request: the user about themselves, or an admin on their behalf. */
    Mono<ServerResponse> personalData(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            String userId = userId(request);
            boolean self = userId.equals(caller.userId());
            if (!self && !caller.isAdmin()) {
                if (caller.isStaff()) {
                    caller.requireRole(Role.ADMIN);
                }
                throw ApiException.notFound(ApiProblem.USER_NOT_FOUND, userId);
            }
            return personalData.export(userId, caller.actor()).map(export -> {
                if (!self && !export.known()) {
                    throw ApiException.notFound(ApiProblem.USER_NOT_FOUND, userId);
                }
                return export.document();
            });
        }).flatMap(document -> ServerResponse.ok().bodyValue(document));
    }

    /**
     * Erases the user's personal data (GDPR art. 17) and closes their accounts; refused, with
     * nothing changed, while an account holds money or has a movement in flight.
     */
    Mono<ServerResponse> erase(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            caller.requireRole(Role.ADMIN);
            String userId = userId(request);
            return erasures.erase(userId, caller.actor()).map(outcome -> switch (outcome.get("outcome").asString()) {
                case "ERASED" -> {
                    ((ObjectNode) outcome).remove("outcome");
                    yield outcome;
                }
                case "ALREADY_ERASED" -> throw new ApiException(ApiProblem.USER_ALREADY_ERASED,
                        "User " + userId + " is already erased: nothing is held about them any more.");
                case "BLOCKED" -> throw new ApiException(ApiProblem.ERASURE_BLOCKED,
                        "Accounts of user " + userId + " still hold money, or have movements in flight: "
                                + "settle and empty them first. Nothing was erased.",
                        Map.of(), Map.of("accounts", outcome.get("accounts")));
                default -> throw ApiException.notFound(ApiProblem.USER_NOT_FOUND, userId);
            });
        }).flatMap(erased -> ServerResponse.ok().bodyValue(erased));
    }

    Mono<ServerResponse> sanctions(ServerRequest request) {
        return callers.of(request).map(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            caller.requireRole(Role.OPERATOR, Role.ADMIN);
            return sanctions.status();
        }).flatMap(status -> ServerResponse.ok().bodyValue(status));
    }

    /** Reads the list again now (it is also reloaded by itself when its file changes). */
    Mono<ServerResponse> reloadSanctions(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            caller.requireRole(Role.ADMIN);
            if (!sanctions.enabled()) {
                throw new ApiException(ApiProblem.SANCTIONS_SCREENING_OFF,
                        "Sanctions screening is off (paygate.compliance.sanctions.enabled=false); there is no list to reload.");
            }
            return Mono.fromCallable(sanctions::reload).subscribeOn(Schedulers.boundedElastic())
                    .onErrorMap(IOException.class, e -> new ApiException(ApiProblem.SANCTIONS_LIST_INVALID,
                            e.getMessage() + ". The previous list stays in force."));
        }).flatMap(status -> ServerResponse.ok().bodyValue(status));
    }

    /** The user of the path; customers may only ask about themselves (404 otherwise, as for accounts). */
    private static String visibleUser(ServerRequest request, Caller caller) {
        caller.requireScope(Scopes.ACCOUNTS_READ);
        String userId = userId(request);
        if (!caller.isStaff() && !userId.equals(caller.userId())) {
            throw ApiException.notFound(ApiProblem.USER_NOT_FOUND, userId);
        }
        return userId;
    }

    private static String userId(ServerRequest request) {
        String userId = request.pathVariable("user_id");
        if (userId.isBlank() || userId.length() > USER_ID_LENGTH_MAX) {
            throw ApiException.invalid("user_id", "must be 1 to " + USER_ID_LENGTH_MAX + " characters");
        }
        return userId;
    }

    record ReviewDecision(@Nullable String reason) {
    }
}

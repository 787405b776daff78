package dev.paygate.security;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import dev.paygate.common.ProblemObserver;
import dev.paygate.common.TraceIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Writes every refusal of access to the audit log: who tried what, from where. That is 401 and
 * 403, and the 404 an authenticated caller gets for an account, transaction, bank or user that
 * does not exist or is not theirs: to them the two look the same, to the audit log a probe of
 * someone else's resources is an authorization failure.
 */
@Component
class SecurityAudit implements ProblemObserver {

    private static final Logger log = LoggerFactory.getLogger(SecurityAudit.class);

    private final AuditLog auditLog;

    SecurityAudit(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @Override
    public Mono<Void> answered(ServerWebExchange exchange, ApiException problem) {
        // The handler's reactive context is gone by the time an error gets here; the caller it
        // resolved is kept on the exchange.
        Caller caller = exchange.getAttribute(Caller.EXCHANGE_ATTRIBUTE);
        String actor = caller == null ? "anonymous" : caller.userId();
        if (problem.kind() == ApiProblem.FORBIDDEN || problem.kind() == ApiProblem.UNAUTHENTICATED) {
            return denied(exchange, actor, problem.kind() == ApiProblem.FORBIDDEN ? "FORBIDDEN" : "UNAUTHENTICATED");
        }
        if (caller != null && isResourceLookup(problem.kind())) {
            return denied(exchange, actor, "NOT_FOUND");
        }
        return Mono.empty();
    }

    private static boolean isResourceLookup(Object kind) {
        return kind == ApiProblem.ACCOUNT_NOT_FOUND || kind == ApiProblem.TRANSACTION_NOT_FOUND
                || kind == ApiProblem.BANK_NOT_FOUND || kind == ApiProblem.USER_NOT_FOUND || kind == ApiProblem.NOT_FOUND;
    }

    Mono<Void> denied(ServerWebExchange exchange, String actor, String outcome) {
        var request = exchange.getRequest();
        String ip = ClientAddresses.of(exchange);
        String action = request.getMethod().name() + " " + request.getPath().value();
        // The refusal is answered even if the audit row cannot be written (e.g. the database is
        // down); the failure is logged, so the gap in the log is itself on record.
        return auditLog.record(actor, "ACCESS", action, outcome, ip, TraceIds.of(exchange))
                .onErrorResume(error -> {
                    log.warn("Audit row for a refused request ({} {}) not written: {}", outcome, action, error.toString());
                    return Mono.empty();
                });
    }
}

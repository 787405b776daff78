package dev.paygate.security;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.paygate.common.Caller;
import dev.paygate.common.Callers;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.Page;
import dev.paygate.common.PageCursor;
import dev.paygate.common.RequestBodies;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** {@code GET /audit-events}: the audit log for administrators, newest first, cursor-paged. */
@Configuration(proxyBeanMethods = false)
class AuditEvents {

    @Bean
    RouterFunction<ServerResponse> auditRouter(AuditLog auditLog, Callers callers) {
        return route(GET("/audit-events"), request -> callers.of(request).flatMap(caller -> {
            caller.requireRole(Caller.Role.ADMIN);
            FieldErrors errors = new FieldErrors();
            int limit = PageCursor.limit(RequestBodies.query(request, "limit"), errors);
            UUID before = PageCursor.decode(RequestBodies.query(request, "cursor"), errors);
            String actor = RequestBodies.query(request, "actor");
            errors.throwIfAny();
            return auditLog.page(before, actor, limit + 1).collectList()
                    .map(rows -> Page.of(rows, limit, AuditLog.AuditEvent::id, row -> row));
        }).flatMap(page -> ServerResponse.ok().bodyValue(page)));
    }
}

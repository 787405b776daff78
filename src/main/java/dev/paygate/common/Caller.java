package dev.paygate.common;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling: the user (the token's subject), their roles, the scopes their token grants,
 * and, for the audit log, the address the request came from and its trace id.
 * Handlers authorise with it; services and repositories receive only the facts they need.
 */
public record Caller(String userId, Set<Role> roles, Set<String> scopes, @Nullable String clientIp,
                     @Nullable String traceId) {

    public enum Role { CUSTOMER, OPERATOR, ADMIN }

    /** The exchange attribute under which the resolved caller is kept for error handling and auditing. */
    public static final String EXCHANGE_ATTRIBUTE = Caller.class.getName();

    public Caller {
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
    }

    /** This caller as the audit log records it. */
    public Actor actor() {
        return new Actor(userId, clientIp, traceId);
    }

    /** Operators and admins see and act on every account. */
    public boolean isStaff() {
        return roles.contains(Role.OPERATOR) || roles.contains(Role.ADMIN);
    }

    public boolean isAdmin() {
        return roles.contains(Role.ADMIN);
    }

    /** The user whose resources this caller is confined to, or {@code null} for staff. */
    public @Nullable String confinedTo() {
        return isStaff() ? null : userId;
    }

    /** Refuses with 403 unless the token carries the scope. */
    public void requireScope(String scope) {
        if (!scopes.contains(scope)) {
            throw new ApiException(ApiProblem.FORBIDDEN, "This operation needs the scope " + scope + ".");
        }
    }

    /** Refuses with 403 unless the caller has one of the roles. */
    public void requireRole(Role... anyOf) {
        for (Role role : anyOf) {
            if (roles.contains(role)) {
                return;
            }
        }
        throw new ApiException(ApiProblem.FORBIDDEN, "This operation needs the role " + anyOf[0] + ".");
    }
}

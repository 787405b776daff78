package dev.paygate.security;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import dev.paygate.common.Callers;
import dev.paygate.common.TraceIds;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * The caller of a request, read from its verified JWT: {@code sub}, the {@code scope} (or
 * {@code scp}) claim, and roles from {@code roles} or Keycloak's {@code realm_access.roles}.
 * A token without roles is a customer: the least a token can be.
 */
@Component
class JwtCallers implements Callers {

    @Override
    public Mono<Caller> of(ServerRequest request) {
        return request.principal()
                .filter(JwtAuthenticationToken.class::isInstance)
                .map(principal -> caller(((JwtAuthenticationToken) principal).getToken(), clientIp(request),
                        TraceIds.of(request.exchange())))
                .doOnNext(caller -> request.exchange().getAttributes().put(Caller.EXCHANGE_ATTRIBUTE, caller))
                .switchIfEmpty(Mono.error(() -> new ApiException(ApiProblem.UNAUTHENTICATED, "A bearer token is required.")));
    }

    static Caller caller(Jwt jwt, @Nullable String clientIp, @Nullable String traceId) {
        return new Caller(jwt.getSubject(), roles(jwt), scopes(jwt), clientIp, traceId);
    }

    static @Nullable String clientIp(ServerRequest request) {
        return request.remoteAddress()
                .map(InetSocketAddress::getAddress)
                .map(address -> address.getHostAddress())
                .orElse(null);
    }

    private static Set<String> scopes(Jwt jwt) {
        Object claim = jwt.getClaims().getOrDefault("scope", jwt.getClaims().get("scp"));
        if (claim instanceof String text) {
            return Arrays.stream(text.split(" ")).filter(scope -> !scope.isBlank()).collect(Collectors.toSet());
        }
        if (claim instanceof Collection<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.toSet());
        }
        return Set.of();
    }

    private static Set<Caller.Role> roles(Jwt jwt) {
        Object claim = jwt.getClaims().get("roles");
        if (claim == null && jwt.getClaims().get("realm_access") instanceof Map<?, ?> realm) {
            claim = realm.get("roles");
        }
        EnumSet<Caller.Role> roles = EnumSet.noneOf(Caller.Role.class);
        if (claim instanceof Collection<?> names) {
            for (Object name : names) {
                for (Caller.Role role : Caller.Role.values()) {
                    if (role.name().equalsIgnoreCase(String.valueOf(name))) {
                        roles.add(role);
                    }
                }
            }
        }
        return roles.isEmpty() ? EnumSet.of(Caller.Role.CUSTOMER) : roles;
    }

    static List<String> roleNames() {
        return Arrays.stream(Caller.Role.values()).map(Enum::name).toList();
    }
}

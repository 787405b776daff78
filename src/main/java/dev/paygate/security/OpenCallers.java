package dev.paygate.security;

import dev.paygate.common.Caller;
import dev.paygate.common.Callers;
import dev.paygate.common.Scopes;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/** Until tokens are checked, every request acts as one local administrator. */
@Component
class OpenCallers implements Callers {

    private static final Caller LOCAL = new Caller("local", Set.of(Caller.Role.ADMIN),
            Set.of(Scopes.ACCOUNTS_READ, Scopes.ACCOUNTS_WRITE, Scopes.TRANSFERS_READ, Scopes.TRANSFERS_WRITE,
                    Scopes.BANKS_READ, Scopes.BANKS_WRITE));

    @Override
    public Mono<Caller> of(ServerRequest request) {
        return Mono.just(LOCAL);
    }
}

package dev.paygate.sandbox;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.PUT;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The sandbox bank's routes: the bank protocol of {@code docs/bank-api.yaml} under
 * {@code /sandbox/banks/{bank_id}} (authenticated with the bank's credentials, not with our
 * tokens), and the fault knobs for administrators.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "paygate.sandbox.enabled", matchIfMissing = true)
class SandboxRoutes {

    static final String BASE = "/sandbox/banks/{bank_id}";

    @Bean
    RouterFunction<ServerResponse> sandboxRouter(SandboxHandler handler) {
        return route(POST(BASE + "/payments"), handler::pay)
                .andRoute(GET(BASE + "/payments/{payment_id}"), handler::inquire)
                .andRoute(POST(BASE + "/payments/{payment_id}/cancel"), handler::cancel)
                .andRoute(GET(BASE + "/statements/{date}"), handler::statement)
                .andRoute(POST(BASE + "/oauth/token"), handler::token)
                .andRoute(GET("/external-banks/{bank_id}/sandbox-faults"), handler::faults)
                .andRoute(PUT("/external-banks/{bank_id}/sandbox-faults"), handler::setFaults);
    }
}

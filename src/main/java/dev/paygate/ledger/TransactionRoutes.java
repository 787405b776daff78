package dev.paygate.ledger;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The routes of the transaction history. */
@Configuration(proxyBeanMethods = false)
class TransactionRoutes {

    @Bean
    RouterFunction<ServerResponse> transactionRouter(TransactionHandler handler) {
        return route(GET("/transactions"), handler::list)
                .andRoute(GET("/transactions/{id}"), handler::get);
    }
}

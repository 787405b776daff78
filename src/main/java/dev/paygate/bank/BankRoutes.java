package dev.paygate.bank;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The routes of external banks. */
@Configuration(proxyBeanMethods = false)
class BankRoutes {

    @Bean
    RouterFunction<ServerResponse> bankRouter(BankHandler handler) {
        return route(POST("/external-banks"), handler::register)
                .andRoute(GET("/external-banks"), handler::list)
                .andRoute(GET("/external-banks/{bank_id}"), handler::get)
                .andRoute(POST("/external-banks/{bank_id}/transfers"), handler::transfer)
                .andRoute(GET("/external-banks/{bank_id}/health"), handler::health)
                .andRoute(GET("/external-banks/{bank_id}/reconciliation"), handler::reconciliation);
    }
}

package dev.paygate.account;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.PUT;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The routes of accounts. */
@Configuration(proxyBeanMethods = false)
class AccountRoutes {

    @Bean
    RouterFunction<ServerResponse> accountRouter(AccountHandler handler) {
        return route(POST("/accounts"), handler::create)
                .andRoute(GET("/accounts"), handler::list)
                .andRoute(GET("/accounts/{id}"), handler::get)
                .andRoute(PUT("/accounts/{id}"), handler::update)
                .andRoute(GET("/accounts/{id}/balance"), handler::balance)
                .andRoute(POST("/accounts/{id}/deposit"), handler::deposit)
                .andRoute(POST("/accounts/{id}/withdraw"), handler::withdraw);
    }
}

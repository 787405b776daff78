package dev.paygate.transfer;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The routes of internal transfers. */
@Configuration(proxyBeanMethods = false)
class TransferRoutes {

    @Bean
    RouterFunction<ServerResponse> transferRouter(TransferHandler handler) {
        return route(POST("/transfers"), handler::create)
                .andRoute(GET("/transfers/{id}"), handler::get)
                .andRoute(GET("/transfers/{id}/status"), handler::status);
    }
}

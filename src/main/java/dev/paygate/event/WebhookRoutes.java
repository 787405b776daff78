package dev.paygate.event;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The routes of webhooks. */
@Configuration(proxyBeanMethods = false)
class WebhookRoutes {

    @Bean
    RouterFunction<ServerResponse> webhookRouter(WebhookHandler handler) {
        return route(POST("/webhooks"), handler::create)
                .andRoute(GET("/webhooks"), handler::list)
                .andRoute(GET("/webhooks/{id}"), handler::get)
                .andRoute(DELETE("/webhooks/{id}"), handler::delete)
                .andRoute(GET("/webhooks/{id}/deliveries"), handler::deliveries);
    }
}

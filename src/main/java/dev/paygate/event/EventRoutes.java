package dev.paygate.event;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The routes of event streams. */
@Configuration(proxyBeanMethods = false)
class EventRoutes {

    @Bean
    RouterFunction<ServerResponse> eventRouter(EventHandler handler) {
        return route(GET("/transfers/{id}/events"), handler::transferEvents)
                .andRoute(GET("/accounts/{id}/events"), handler::accountEvents);
    }
}

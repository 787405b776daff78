package dev.paygate.compliance;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.PUT;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The routes of KYC levels, limits, alerts, reviews, sanctions and personal data. */
@Configuration(proxyBeanMethods = false)
class ComplianceRoutes {

    @Bean
    RouterFunction<ServerResponse> complianceRouter(ComplianceHandler handler) {
        return route(PUT("/users/{user_id}/kyc"), handler::setLevel)
                .andRoute(GET("/users/{user_id}/kyc"), handler::level)
                .andRoute(GET("/users/{user_id}/limits"), handler::limits)
                .andRoute(GET("/users/{user_id}/personal-data"), handler::personalData)
                .andRoute(POST("/users/{user_id}/erasure"), handler::erase)
                .andRoute(GET("/compliance/alerts"), handler::alerts)
                .andRoute(GET("/compliance/sanctions"), handler::sanctions)
                .andRoute(POST("/compliance/sanctions/reload"), handler::reloadSanctions)
                .andRoute(POST("/compliance/reviews/{transfer_id}/approve"), request -> handler.review(request, true))
                .andRoute(POST("/compliance/reviews/{transfer_id}/reject"), request -> handler.review(request, false));
    }
}

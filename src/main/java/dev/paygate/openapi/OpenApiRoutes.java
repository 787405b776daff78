package dev.paygate.openapi;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /openapi.yaml}: the API document, written by hand and checked against every response of
 * the test suite. Swagger UI (springdoc, at {@code /swagger-ui.html}) shows it. springdoc's own
 * generated document knows nothing of our functional routes, so its address leads here instead: a
 * router function is matched before springdoc's annotated controller.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiRoutes {

    static final String DOCUMENT_PATH = "/openapi.yaml";
    static final MediaType YAML = MediaType.parseMediaType("application/yaml");
    private static final String RESOURCE = "openapi.yaml";
    private static final CacheControl CACHE = CacheControl.maxAge(java.time.Duration.ofMinutes(5)).cachePublic();

    @Bean
    RouterFunction<ServerResponse> openApiRouter() {
        byte[] document = read();
        URI here = URI.create(DOCUMENT_PATH);
        return route(GET(DOCUMENT_PATH), request -> ServerResponse.ok().contentType(YAML).cacheControl(CACHE)
                        .bodyValue(document))
                .andRoute(GET("/v3/api-docs"), request -> ServerResponse.permanentRedirect(here).build())
                .andRoute(GET("/v3/api-docs.yaml"), request -> ServerResponse.permanentRedirect(here).build());
    }

    /** Read once at startup: a missing document is a broken build, not a 404 at run time. */
    private static byte[] read() {
        try (InputStream in = new ClassPathResource(RESOURCE).getInputStream()) {
            byte[] document = in.readAllBytes();
            if (document.length == 0) {
                throw new IllegalStateException(RESOURCE + " is empty");
            }
            return document;
        } catch (IOException e) {
            throw new UncheckedIOException("the API document " + RESOURCE + " is missing from the classpath", e);
        }
    }
}

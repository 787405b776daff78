package dev.paygate.support;

import dev.paygate.PaygateApplication;
import dev.paygate.PaygateTest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Another gateway instance beside the suite's own: same database, same broker, same keys, same
 * settings, as a second replica behind a load balancer would be. Close it to stop it.
 */
public final class SecondInstance {

    private SecondInstance() {
    }

    /** Starts an instance; {@code extra} settings ({@code --name=value}) override the shared ones. */
    public static ConfigurableApplicationContext start(String... extra) {
        Map<String, String> settings = new LinkedHashMap<>();
        // A replica runs with the suite instance's settings (bank timeouts, rate limits, heartbeats).
        for (String property : PaygateTest.class.getAnnotation(SpringBootTest.class).properties()) {
            String[] pair = property.split("=", 2);
            settings.put("--" + pair[0], pair[1]);
        }
        settings.put("--server.port", "0");
        settings.put("--paygate.rate-limit.enabled", "false");
        // The suite's own instance serves the sandbox bank; a second one would take it over.
        settings.put("--paygate.sandbox.enabled", "false");
        for (String setting : extra) {
            String[] pair = setting.split("=", 2);
            settings.put(pair[0], pair[1]);
        }
        return new SpringApplicationBuilder(PaygateApplication.class).run(settings.entrySet().stream()
                .map(setting -> setting.getKey() + "=" + setting.getValue()).toArray(String[]::new));
    }

    /** A client of the instance whose every response is checked against the API document, as the suite's is. */
    public static WebTestClient clientOf(ConfigurableApplicationContext context) {
        return EndToEndTest.contracted(WebTestClient.bindToServer().responseTimeout(Duration.ofSeconds(30))
                .baseUrl("http://localhost:" + context.getEnvironment().getProperty("local.server.port")).build());
    }
}

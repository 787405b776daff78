package dev.paygate;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;

/**
 * A test against the whole gateway over real HTTP, on the suite's one embedded PostgreSQL.
 * Every class with this annotation shares one application context (same configuration).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "paygate.database.embedded.data-directory=" + TestDataDirectory.POSTGRES,
        "paygate.security.dev.key-file=" + TestDataDirectory.SIGNING_KEY,
        "paygate.banks.credentials-key-file=" + TestDataDirectory.BANK_CREDENTIALS_KEY,
        "paygate.compliance.erasure.pseudonym-key-file=" + TestDataDirectory.PSEUDONYM_KEY,
        "spring.main.banner-mode=off",
        // The suite's users make thousands of requests a second; RateLimitTest checks the limits.
        "paygate.rate-limit.requests-per-period=1000000",
        "paygate.rate-limit.anonymous-requests-per-period=1000000",
        // Bank calls and retries on a test's time scale (the defaults are minutes).
        "paygate.banks.resilience.call-timeout=1s",
        "paygate.banks.resilience.wait-in-open=2s",
        "paygate.banks.dispatch.poll-interval=100ms",
        "paygate.banks.dispatch.backoff-initial=200ms",
        "paygate.banks.dispatch.backoff-max=2s",
        "paygate.banks.dispatch.deadline=20s",
        "paygate.banks.dispatch.unanswered-hold-max=5s",
        "paygate.sandbox.stall=2s",
        // Heartbeats a test can wait for (the default is 15 s).
        "paygate.events.sse-heartbeat=1s",
        "logging.level.root=WARN",
        "logging.level.dev.paygate=INFO",
})
@AutoConfigureWebTestClient(timeout = "PT30S")
public @interface PaygateTest {
}

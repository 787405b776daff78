package dev.paygate.event;

import dev.paygate.common.PollingWorker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sends webhook deliveries: each a POST of the CloudEvent, signed, with a timeout; a delivery that
 * fails (no 2xx) is tried again after an exponentially growing, jittered wait, up to a limit. Safe
 * on several instances: a delivery is leased to the instance that claimed it.
 */
@Component
class WebhookDeliveries extends PollingWorker {

    static final String WEBHOOK_ID_HEADER = "Paygate-Webhook-Id";
    static final String DELIVERY_ID_HEADER = "Paygate-Delivery-Id";

    private final Webhooks webhooks;
    private final WebhookTargets targets;
    private final WebhookProperties properties;
    private final WebClient http;
    private final MeterRegistry meters;

    WebhookDeliveries(Webhooks webhooks, WebhookTargets targets, WebhookProperties properties,
                      WebClient.Builder http, MeterRegistry meters) {
        super("Webhook delivery", properties.batchMax(), properties.pollInterval());
        this.webhooks = webhooks;
        this.targets = targets;
        this.properties = properties;
        this.http = http.build();
        this.meters = meters;
    }

    @Override
    protected Mono<Integer> round() {
        return webhooks.claimDue(properties.batchMax(), properties.lease())
                .flatMap(this::deliver, properties.concurrencyMax())
                .count()
                .map(Math::toIntExact);
    }

    private Mono<Long> deliver(Webhooks.Due due) {
        if (!due.active()) {
            return webhooks.recordAttempt(due.id(), null, "webhook deleted", 0, false, true, Duration.ZERO);
        }
        long started = System.nanoTime();
        return Mono.fromCallable(() -> targets.refusal(due.url()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(refusal -> Mono.<Integer>error(new IllegalStateException("target not allowed: " + refusal)))
                .switchIfEmpty(Mono.defer(() -> post(due)))
                .map(status -> outcome(due, status, null, started))
                .onErrorResume(error -> Mono.just(outcome(due, null, error.toString(), started)))
                .flatMap(outcome -> outcome);
    }

    private Mono<Integer> post(Webhooks.Due due) {
        long now = System.currentTimeMillis() / 1000;
        return http.post().uri(due.url())
                .header(HttpHeaders.CONTENT_TYPE, CloudEvents.CONTENT_TYPE)
                .header(WEBHOOK_ID_HEADER, due.webhookId().toString())
                .header(DELIVERY_ID_HEADER, due.id().toString())
                .header(WebhookSignatures.HEADER, WebhookSignatures.sign(due.secret(), now, due.body()))
                .bodyValue(due.body())
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()))
                .timeout(properties.timeout());
    }

    private Mono<Long> outcome(Webhooks.Due due, Integer status, String error, long startedNanos) {
        long durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
        boolean delivered = status != null && status >= 200 && status < 300;
        boolean givenUp = !delivered && due.attempts() + 1 >= properties.attemptsMax();
        meters.counter("paygate.webhooks.deliveries", "outcome",
                delivered ? "delivered" : givenUp ? "failed" : "retry").increment();
        String detail = error != null ? error : delivered ? null : "HTTP " + status;
        return webhooks.recordAttempt(due.id(), status, detail, durationMs, delivered, givenUp, backoff(due.attempts()));
    }

    /** 1 s, 2 s, 4 s, ... capped, each with up to half again of random jitter so retries spread out. */
    Duration backoff(int attemptsSoFar) {
        long base = properties.backoffInitial().toMillis() << Math.min(attemptsSoFar, 20);
        long capped = Math.min(base, properties.backoffMax().toMillis());
        return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}

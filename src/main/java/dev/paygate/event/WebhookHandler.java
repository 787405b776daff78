package dev.paygate.event;

import dev.paygate.common.ApiException;
import dev.paygate.common.ApiProblem;
import dev.paygate.common.Caller;
import dev.paygate.common.Callers;
import dev.paygate.common.FieldErrors;
import dev.paygate.common.FieldErrorsFactory;
import dev.paygate.common.Page;
import dev.paygate.common.PageCursor;
import dev.paygate.common.RequestBodies;
import dev.paygate.common.Scopes;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** HTTP in and out for webhooks: register, list, read, delete, and see deliveries with their attempts. */
@Component
class WebhookHandler {

    private static final int EVENT_TYPES_MAX = 20;
    private static final int URL_LENGTH_MAX = 2000;

    private final Webhooks webhooks;
    private final WebhookTargets targets;
    private final Callers callers;
    private final FieldErrorsFactory fieldErrors;

    WebhookHandler(Webhooks webhooks, WebhookTargets targets, Callers callers, FieldErrorsFactory fieldErrors) {
        this.webhooks = webhooks;
        this.targets = targets;
        this.callers = callers;
        this.fieldErrors = fieldErrors;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            return RequestBodies.required(request, NewWebhook.class).flatMap(body -> validated(body, caller))
                    .flatMap(valid -> {
                        String secret = WebhookSignatures.newSecret();
                        return webhooks.create(caller.userId(), valid.allAccounts(), valid.url(), valid.eventTypes(),
                                valid.description(), secret).map(view -> view.withSecret(secret));
                    });
        }).flatMap(view -> ServerResponse.created(URI.create("/webhooks/" + view.id())).bodyValue(view));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            return webhooks.list(caller.confinedTo()).collectList();
        }).flatMap(list -> ServerResponse.ok().bodyValue(Map.of("data", list)));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            return visible(request, caller);
        }).flatMap(view -> ServerResponse.ok().bodyValue(view));
    }

    Mono<ServerResponse> delete(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_WRITE);
            return visible(request, caller).flatMap(view -> webhooks.deactivate(view.id()));
        }).then(ServerResponse.noContent().build());
    }

    Mono<ServerResponse> deliveries(ServerRequest request) {
        return callers.of(request).flatMap(caller -> {
            caller.requireScope(Scopes.ACCOUNTS_READ);
            FieldErrors errors = fieldErrors.create();
            int limit = PageCursor.limit(RequestBodies.query(request, "limit"), errors);
            UUID before = PageCursor.decode(RequestBodies.query(request, "cursor"), errors);
            errors.throwIfAny();
            return visible(request, caller).flatMap(view -> webhooks.deliveries(view.id(), before, limit + 1)
                    .collectList()
                    .map(rows -> Page.of(rows, limit, Webhooks.DeliveryView::id, row -> row)));
        }).flatMap(page -> ServerResponse.ok().bodyValue(page));
    }

    private Mono<Webhooks.WebhookView> visible(ServerRequest request, Caller caller) {
        UUID id = RequestBodies.pathId(request, "id");
        return webhooks.find(id, caller.confinedTo())
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(ApiProblem.NOT_FOUND, id)));
    }

    /** Checks the body; the URL's host is resolved off the event loop. */
    private Mono<ValidWebhook> validated(NewWebhook body, Caller caller) {
        FieldErrors errors = fieldErrors.create();
        String url = errors.text("url", body.url(), URL_LENGTH_MAX, true);
        String description = errors.text("description", body.description(), 500, false);
        List<String> types = new ArrayList<>();
        if (body.eventTypes() == null || body.eventTypes().isEmpty() || body.eventTypes().size() > EVENT_TYPES_MAX) {
            errors.add("event_types", "must list 1 to " + EVENT_TYPES_MAX + " event types, e.g. paygate.transaction.completed or *");
        } else {
            for (String type : body.eventTypes()) {
                if (type == null || !type.matches("\\*|paygate\\.[a-z_]+\\.[a-z_]+")) {
                    errors.add("event_types", "must be event types such as paygate.transaction.completed, or *");
                } else {
                    types.add(type);
                }
            }
        }
        boolean allAccounts = Boolean.TRUE.equals(body.allAccounts());
        if (allAccounts && !caller.isStaff()) {
            errors.add("all_accounts", "may only be set by an operator");
        }
        errors.throwIfAny();
        return Mono.fromCallable(() -> targets.refusal(url)).subscribeOn(Schedulers.boundedElastic())
                .flatMap(refusal -> Mono.<ValidWebhook>error(ApiException.invalid("url", refusal)))
                .switchIfEmpty(Mono.fromSupplier(() -> new ValidWebhook(url, types, description, allAccounts)));
    }

    record NewWebhook(@Nullable String url, @Nullable List<String> eventTypes, @Nullable String description,
                      @Nullable Boolean allAccounts) {
    }

    private record ValidWebhook(String url, List<String> eventTypes, @Nullable String description, boolean allAccounts) {
    }
}

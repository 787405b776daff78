package dev.paygate.common;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Hooks;
import reactor.netty.channel.AbortedException;

/**
 * Errors that Reactor drops because their subscriber has already gone. A client that hangs up
 * before its response is written is routine (a timeout on its side, a deploy), and its transfer
 * stands: a retry with the same idempotency key gets the outcome. Reactor's default logs every
 * such case as an ERROR with a full stack trace, which buries the dropped errors that are bugs.
 */
@Component
public class DroppedErrors {

    private static final Logger log = LoggerFactory.getLogger(DroppedErrors.class);
    /** Reactor's hooks are global to the JVM; several application contexts must not stack them. */
    private static final AtomicBoolean installed = new AtomicBoolean();

    DroppedErrors() {
        if (installed.compareAndSet(false, true)) {
            Hooks.onErrorDropped(DroppedErrors::dropped);
        }
    }

    static void dropped(Throwable error) {
        if (error instanceof AbortedException || AbortedException.isConnectionReset(error)) {
            log.debug("The client closed its connection before its response was written: {}", error.toString());
        } else {
            log.error("An error arrived after its subscriber had gone (Reactor dropped it)", error);
        }
    }
}

package dev.paygate.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.paygate.common.DroppedErrors;
import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import reactor.core.publisher.Operators;
import reactor.netty.channel.AbortedException;
import reactor.util.context.Context;

/**
 * A client that sends a transfer and hangs up before the answer: the transfer stands, a retry
 * with its key gets the outcome without moving the money twice, and the gateway does not log
 * the closed connection as an error.
 */
class ClientHangUpTest extends EndToEndTest {

    @LocalServerPort
    int port;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger dropped = (Logger) LoggerFactory.getLogger(DroppedErrors.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        dropped.setLevel(Level.DEBUG);
        lines.start();
        root.addAppender(lines);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(lines);
        dropped.setLevel(null);
    }

    @Test
    void aTransferWhoseClientHungUpStandsOnceAndIsNotLoggedAsAnError() throws Exception {
        User alice = api.newCustomer();
        UUID from = alice.openAccount("USD");
        UUID to = api.newCustomer().openAccount("USD");
        api.operator().deposit(from, "10.00", "USD");
        String key = "hang-up-" + UUID.randomUUID();
        String token = api.token(alice.id(), List.of("CUSTOMER"), null);
        String body = "{\"from_account\":\"" + from + "\",\"to_account\":\"" + to
                + "\",\"amount\":\"2.50\",\"currency\":\"USD\"}";

        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /transfers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nIdempotency-Key: " + key
                    + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        // The access log's 499: the gateway saw the client go before it could answer.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> lines.list.stream().anyMatch(line -> line.getLoggerName().equals("dev.paygate.access")
                        && line.getFormattedMessage().startsWith("POST /transfers 499 ")
                        && line.getFormattedMessage().contains("caller=" + alice.id() + " ")));
        // The retry may find the first still being applied (409); it is then told to retry.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> alice.post("/transfers", Map.of("from_account", from.toString(), "to_account", to.toString(),
                        "amount", "2.50", "currency", "USD"), key).returnResult(String.class).getStatus().value() == 201);

        assertThat(api.admin().balance(to)).isEqualTo("2.50");
        assertThat(api.admin().balance(from)).isEqualTo("7.50");
        assertThat(errors()).isEmpty();
    }

    /**
     * A client can also go in the instant between its answer being ready and being written;
     * Reactor then drops the write's error, and the gateway logs it as the routine it is.
     */
    @Test
    void aResponseWrittenToAClosedConnectionIsADebugLineNotAnError(@Autowired DroppedErrors installed) {
        Operators.onErrorDropped(AbortedException.beforeSend(), Context.empty());

        assertThat(lines.list).anySatisfy(line -> {
            assertThat(line.getLoggerName()).isEqualTo(DroppedErrors.class.getName());
            assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(line.getFormattedMessage()).contains("BEFORE send operation");
        });
        assertThat(errors()).isEmpty();
    }

    /**
     * Errors from where a hang-up could surface: Reactor's dropped errors, the web layer's last
     * resort, the problem responses. The shared contexts' background workers log on their own.
     */
    private List<String> errors() {
        List<String> surfaces = List.of("reactor.core.publisher.Operators", DroppedErrors.class.getName(),
                "org.springframework.web.server.adapter.HttpWebHandlerAdapter",
                "org.springframework.boot.webflux.autoconfigure.error.AbstractErrorWebExceptionHandler",
                "dev.paygate.common.ProblemResponses", "dev.paygate.access");
        return lines.list.stream()
                .filter(line -> line.getLevel().isGreaterOrEqual(Level.ERROR) && surfaces.contains(line.getLoggerName()))
                .map(line -> line.getLoggerName() + ": " + line.getFormattedMessage()).toList();
    }
}

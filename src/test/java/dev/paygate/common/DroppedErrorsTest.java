package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Operators;
import reactor.netty.channel.AbortedException;
import reactor.util.context.Context;

class DroppedErrorsTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(DroppedErrors.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        new DroppedErrors();
        logger.setLevel(Level.DEBUG);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
        logger.setLevel(null);
    }

    @Test
    void aClientThatHungUpIsADebugLineWithoutAStackTrace() {
        Operators.onErrorDropped(AbortedException.beforeSend(), Context.empty());
        Operators.onErrorDropped(new IOException("Connection reset by peer"), Context.empty());

        assertThat(ours("BEFORE send operation", "Connection reset by peer")).hasSize(2).allSatisfy(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(line.getThrowableProxy()).isNull();
        });
    }

    @Test
    void anyOtherDroppedErrorIsStillAnErrorWithItsStackTrace() {
        Operators.onErrorDropped(new IllegalStateException("a bug"), Context.empty());

        assertThat(ours("a bug")).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.ERROR);
            assertThat(line.getThrowableProxy().getMessage()).isEqualTo("a bug");
        });
    }

    @Test
    void installingTwiceLogsOnce() {
        new DroppedErrors();

        Operators.onErrorDropped(new IllegalStateException("logged once"), Context.empty());

        assertThat(ours("logged once")).hasSize(1);
    }

    /** This test's lines: other contexts of the suite may drop errors of their own meanwhile. */
    private List<ILoggingEvent> ours(String... markers) {
        return lines.list.stream().filter(line -> Arrays.stream(markers).anyMatch(marker ->
                line.getFormattedMessage().contains(marker)
                        || line.getThrowableProxy() != null && line.getThrowableProxy().getMessage().contains(marker))).toList();
    }
}

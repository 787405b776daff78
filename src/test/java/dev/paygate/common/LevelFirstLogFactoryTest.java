package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LevelFirstLogFactoryTest {

    private static final String NAME = "dev.paygate.test.LevelFirst";

    private final ch.qos.logback.classic.Logger logback =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(NAME);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @AfterEach
    void detach() {
        logback.detachAppender(lines);
        logback.setLevel(null);
    }

    @Test
    void springsLogCallsGoThroughTheLevelFirstBridge() {
        assertThat(LogFactory.getFactory()).isInstanceOf(LevelFirstLogFactory.class);
        assertThat(LogFactory.getLog(NAME)).isInstanceOf(LevelFirstLogFactory.LevelFirstLog.class);
    }

    @Test
    void aMessageIsNotBuiltForALevelThatIsOff() {
        logback.setLevel(Level.INFO);
        AtomicInteger built = new AtomicInteger();
        Object lazy = new Object() {
            @Override
            public String toString() {
                built.incrementAndGet();
                return "expensive";
            }
        };
        Log log = LogFactory.getLog(NAME);

        log.debug(lazy);
        log.trace(lazy, new IllegalStateException());

        assertThat(built).hasValue(0);
    }

    @Test
    void aMessageForALevelThatIsOnIsLoggedWithItsLevelAndError() {
        logback.setLevel(Level.DEBUG);
        lines.start();
        logback.addAppender(lines);
        Log log = LogFactory.getLog(NAME);
        IllegalStateException error = new IllegalStateException("boom");

        log.debug("matched");
        log.fatal("gave up", error);
        log.trace("not at debug");

        assertThat(lines.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Level.DEBUG, "matched"),
                        org.assertj.core.groups.Tuple.tuple(Level.ERROR, "gave up"));
        assertThat(lines.list.get(1).getThrowableProxy().getMessage()).isEqualTo("boom");
        assertThat(lines.list.get(0).getLoggerName()).isEqualTo(NAME);
    }
}

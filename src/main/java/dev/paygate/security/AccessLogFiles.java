package dev.paygate.security;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps the access log in files of its own when {@code paygate.access-log.directory} is set: one
 * file a day, compressed, and deleted by Logback once older than the retention (at each daily
 * rollover and at startup), so client addresses are never kept longer than configured.
 */
@Component
@ConditionalOnProperty(name = "paygate.access-log.directory")
class AccessLogFiles implements SmartLifecycle {

    static final String LOGGER = "dev.paygate.access";

    private final AccessLogProperties properties;
    private RollingFileAppender<ILoggingEvent> appender;

    AccessLogFiles(AccessLogProperties properties) {
        this.properties = properties;
    }

    @Override
    public void start() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Path directory = properties.directory().toAbsolutePath().normalize();

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %m%n");
        encoder.start();

        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName("paygate-access-log");
        file.setFile(directory.resolve("access.log").toString());
        file.setEncoder(encoder);
        TimeBasedRollingPolicy<ILoggingEvent> rolling = new TimeBasedRollingPolicy<>();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(directory.resolve("access-%d{yyyy-MM-dd}.log.gz").toString());
        rolling.setMaxHistory((int) properties.retention().toDays());
        rolling.setCleanHistoryOnStart(true);
        rolling.start();
        file.setRollingPolicy(rolling);
        file.start();

        Logger logger = context.getLogger(LOGGER);
        logger.addAppender(file);
        // In its files only: the console keeps the application's own lines.
        logger.setAdditive(false);
        appender = file;
    }

    @Override
    public void stop() {
        if (appender != null) {
            Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(LOGGER);
            logger.detachAppender(appender);
            logger.setAdditive(true);
            appender.stop();
            appender = null;
        }
    }

    @Override
    public boolean isRunning() {
        return appender != null;
    }

    /** Before the web server: no call goes unlogged at startup, and the last ones are written at shutdown. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}

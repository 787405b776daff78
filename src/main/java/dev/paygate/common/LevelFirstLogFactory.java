package dev.paygate.common;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.apache.commons.logging.LogFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LocationAwareLogger;

/**
 * Commons Logging (what Spring logs through) handed to SLF4J only once the level is known to be
 * on. The bridge that ships with Commons Logging 1.3 turns every message into a string before
 * SLF4J looks at the level, so the debug lines that Spring builds lazily (Spring Security's
 * request matchers write several per request) were formatted on every request with debug off.
 * Installed through {@code META-INF/services/org.apache.commons.logging.LogFactory}.
 */
public final class LevelFirstLogFactory extends LogFactory {

    private final Map<String, Log> logs = new ConcurrentHashMap<>();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    public LevelFirstLogFactory() {
        // for ServiceLoader
    }

    @Override
    public Log getInstance(Class<?> type) {
        return getInstance(type.getName());
    }

    @Override
    public Log getInstance(String name) {
        return logs.computeIfAbsent(name, key -> new LevelFirstLog(LoggerFactory.getLogger(key)));
    }

    @Override
    public void release() {
        logs.clear();
    }

    @Override
    public @Nullable Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public String[] getAttributeNames() {
        return attributes.keySet().toArray(String[]::new);
    }

    @Override
    public void removeAttribute(String name) {
        attributes.remove(name);
    }

    @Override
    public void setAttribute(String name, @Nullable Object value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    /** One logger; the message becomes a string only for a level that is on. */
    static final class LevelFirstLog implements Log {

        private static final String CALLER_BOUNDARY = LevelFirstLog.class.getName();

        private final Logger logger;

        LevelFirstLog(Logger logger) {
            this.logger = logger;
        }

        @Override
        public boolean isTraceEnabled() {
            return logger.isTraceEnabled();
        }

        @Override
        public boolean isDebugEnabled() {
            return logger.isDebugEnabled();
        }

        @Override
        public boolean isInfoEnabled() {
            return logger.isInfoEnabled();
        }

        @Override
        public boolean isWarnEnabled() {
            return logger.isWarnEnabled();
        }

        @Override
        public boolean isErrorEnabled() {
            return logger.isErrorEnabled();
        }

        @Override
        public boolean isFatalEnabled() {
            return logger.isErrorEnabled();
        }

        @Override
        public void trace(@Nullable Object message) {
            log(Level.TRACE, message, null);
        }

        @Override
        public void trace(@Nullable Object message, @Nullable Throwable error) {
            log(Level.TRACE, message, error);
        }

        @Override
        public void debug(@Nullable Object message) {
            log(Level.DEBUG, message, null);
        }

        @Override
        public void debug(@Nullable Object message, @Nullable Throwable error) {
            log(Level.DEBUG, message, error);
        }

        @Override
        public void info(@Nullable Object message) {
            log(Level.INFO, message, null);
        }

        @Override
        public void info(@Nullable Object message, @Nullable Throwable error) {
            log(Level.INFO, message, error);
        }

        @Override
        public void warn(@Nullable Object message) {
            log(Level.WARN, message, null);
        }

        @Override
        public void warn(@Nullable Object message, @Nullable Throwable error) {
            log(Level.WARN, message, error);
        }

        @Override
        public void error(@Nullable Object message) {
            log(Level.ERROR, message, null);
        }

        @Override
        public void error(@Nullable Object message, @Nullable Throwable error) {
            log(Level.ERROR, message, error);
        }

        @Override
        public void fatal(@Nullable Object message) {
            log(Level.ERROR, message, null);
        }

        @Override
        public void fatal(@Nullable Object message, @Nullable Throwable error) {
            log(Level.ERROR, message, error);
        }

        /** The one place the level is checked, before the message becomes a string. */
        private void log(Level level, @Nullable Object message, @Nullable Throwable error) {
            if (!logger.isEnabledForLevel(level)) {
                return;
            }
            String text = String.valueOf(message);
            if (logger instanceof LocationAwareLogger located) {
                located.log(null, CALLER_BOUNDARY, level.toInt(), text, null, error);
            } else {
                logger.atLevel(level).setCause(error).log(text);
            }
        }
    }
}

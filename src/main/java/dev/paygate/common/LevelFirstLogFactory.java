package dev.paygate.common;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.apache.commons.logging.LogFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
            trace(message, null);
        }

        @Override
        public void trace(@Nullable Object message, @Nullable Throwable error) {
            if (logger.isTraceEnabled()) {
                log(LocationAwareLogger.TRACE_INT, message, error);
            }
        }

        @Override
        public void debug(@Nullable Object message) {
            debug(message, null);
        }

        @Override
        public void debug(@Nullable Object message, @Nullable Throwable error) {
            if (logger.isDebugEnabled()) {
                log(LocationAwareLogger.DEBUG_INT, message, error);
            }
        }

        @Override
        public void info(@Nullable Object message) {
            info(message, null);
        }

        @Override
        public void info(@Nullable Object message, @Nullable Throwable error) {
            if (logger.isInfoEnabled()) {
                log(LocationAwareLogger.INFO_INT, message, error);
            }
        }

        @Override
        public void warn(@Nullable Object message) {
            warn(message, null);
        }

        @Override
        public void warn(@Nullable Object message, @Nullable Throwable error) {
            if (logger.isWarnEnabled()) {
                log(LocationAwareLogger.WARN_INT, message, error);
            }
        }

        @Override
        public void error(@Nullable Object message) {
            error(message, null);
        }

        @Override
        public void error(@Nullable Object message, @Nullable Throwable error) {
            if (logger.isErrorEnabled()) {
                log(LocationAwareLogger.ERROR_INT, message, error);
            }
        }

        @Override
        public void fatal(@Nullable Object message) {
            error(message, null);
        }

        @Override
        public void fatal(@Nullable Object message, @Nullable Throwable error) {
            error(message, error);
        }

        private void log(int level, @Nullable Object message, @Nullable Throwable error) {
            String text = String.valueOf(message);
            if (logger instanceof LocationAwareLogger located) {
                located.log(null, CALLER_BOUNDARY, level, text, null, error);
                return;
            }
            switch (level) {
                case LocationAwareLogger.TRACE_INT -> logger.trace(text, error);
                case LocationAwareLogger.DEBUG_INT -> logger.debug(text, error);
                case LocationAwareLogger.INFO_INT -> logger.info(text, error);
                case LocationAwareLogger.WARN_INT -> logger.warn(text, error);
                default -> logger.error(text, error);
            }
        }
    }
}

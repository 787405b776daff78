package dev.paygate.event;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Ends every open stream when the gateway begins to shut down, before the web server waits for
 * in-flight requests: a stream would otherwise hold the shutdown for its whole grace period.
 * Each stream's last frame tells its client to reconnect (an SSE {@code retry} and a comment
 * saying why); clients reconnect (to another instance) with Last-Event-ID and miss nothing.
 */
@Component
class StreamsShutdown implements SmartLifecycle {

    private final EventBus bus;
    private volatile boolean running;

    StreamsShutdown(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public void start() {
        bus.open();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        bus.closeAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}

package dev.paygate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Paygate: a reactive payment gateway. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class PaygateApplication {

    /** Reactor Netty's event loops per pool (the HTTP server's, and the database client's). */
    static final String IO_WORKER_COUNT = "reactor.netty.ioWorkerCount";

    public static void main(String[] args) {
        oneEventLoopPerCoreAcrossPools();
        SpringApplication.run(PaygateApplication.class, args);
    }

    /**
     * Half the cores per pool, at least one, so that the two pools together have one loop per
     * core. Reactor Netty's own default is at least four per pool whatever the cores: on the
     * 2-core box that is eight loops contending for two cores, and the gateway spent a quarter
     * more CPU per transfer than with one per pool, at 16 clients and at 64 (bench/RESULTS.md,
     * 2026-12-03). Set before any Netty class reads it; {@code -Dreactor.netty.ioWorkerCount=N}
     * still wins.
     */
    static void oneEventLoopPerCoreAcrossPools() {
        if (System.getProperty(IO_WORKER_COUNT) == null) {
            int perPool = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            System.setProperty(IO_WORKER_COUNT, Integer.toString(perPool));
        }
    }
}

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

    public static void main(String[] args) {
        SpringApplication.run(PaygateApplication.class, args);
    }
}

package dev.paygate;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * One real Kafka broker (KRaft, in-process) for the whole test JVM, started before the first
 * context. Every context of the suite uses it unless it sets spring.kafka.bootstrap-servers
 * itself (an empty value means: no Kafka, events stay in-process).
 */
public class TestKafkaBroker implements EnvironmentPostProcessor, Ordered {

    public static final String TOPIC = "paygate.transactions.v1";
    private static EmbeddedKafkaKraftBroker broker;

    public static synchronized String bootstrapServers() {
        if (broker == null) {
            broker = new EmbeddedKafkaKraftBroker(1, 3, TOPIC);
            broker.afterPropertiesSet();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "test-kafka-stop"));
        }
        return broker.getBrokersAsString();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("testKafkaBroker",
                Map.of("spring.kafka.bootstrap-servers", bootstrapServers())));
    }
}

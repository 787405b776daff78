package dev.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.EndToEndTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.yaml.snakeyaml.Yaml;

/** Log lines never hold a full token, secret, IBAN or account number, in plain or JSON logs. */
@ExtendWith(OutputCaptureExtension.class)
class LogMaskingTest extends EndToEndTest {

    static Stream<Arguments> secrets() {
        return Stream.of(
                Arguments.of("Authorization: Bearer abc.DEF-123_x", "Authorization: Bearer ***", "abc.DEF-123_x"),
                Arguments.of("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl seen", "token *** seen",
                        "eyJzdWIiOiJhbGljZSJ9"),
                Arguments.of("credentials {\"secret\":\"hunter2\"}", "credentials {\"secret\":\"***\"}", "hunter2"),
                Arguments.of("client_secret=s3cr3t&x=1", "client_secret=***&x=1", "s3cr3t"),
                Arguments.of("password: pa55", "password: ***", "pa55"),
                Arguments.of("paying DE89370400440532013000 now", "paying DE89****3000 now", "370400440532"),
                Arguments.of("card 4111111111111111.", "card 4111****1111.", "11111111"),
                Arguments.of("account 12345678901234", "account 1234****1234", "56789012"),
                Arguments.of("transfer 01a232fa-ead4-7000-8f51-36ded57e338b of 100.00 USD in 1234 ms",
                        "transfer 01a232fa-ead4-7000-8f51-36ded57e338b of 100.00 USD in 1234 ms", "***"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("secrets")
    void theMaskingRulesHideSecretsAndLeaveTheRest(String line, String masked, String hidden) {
        assertThat(LogMasking.mask(line)).isEqualTo(masked).doesNotContain(hidden.equals("***") ? "\u0000" : hidden);
    }

    @Test
    void theConsoleLogIsMasked(CapturedOutput output) {
        LoggerFactory.getLogger(LogMaskingTest.class).warn(
                "Calling with Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln, secret=hunter2, to DE89370400440532013000");

        String line = output.getOut().lines().filter(text -> text.contains("Calling with")).findFirst().orElseThrow();
        assertThat(line).contains("Bearer ***", "secret=***", "DE89****3000")
                .doesNotContain("eyJzdWIi", "hunter2", "370400440532");
    }

    @Test
    void jsonLogLinesAreMaskedToo() {
        JsonWriter<Object> writer = JsonWriter.of(members -> {
            members.add("message", event -> ((Map<?, ?>) event).get("message"));
            new MaskedStructuredLogs().customize(members);
        });

        assertThat(writer.writeToString(Map.of("message", "Bearer abc.def to DE89370400440532013000")))
                .isEqualTo("{\"message\":\"Bearer *** to DE89****3000\"}");
    }

    /** The console pattern repeats LogMasking's rules; this keeps the two in step. */
    @Test
    void theConsolePatternUsesEveryRuleInOrder() throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yml")));
        @SuppressWarnings("unchecked")
        String pattern = ((Map<String, Map<String, String>>) config.get("logging")).get("pattern").get("console");
        int from = 0;
        for (LogMasking.Rule rule : LogMasking.RULES) {
            String option = "{'" + rule.pattern().pattern() + "', '" + rule.replacement() + "'}";
            int at = pattern.indexOf(option, from);
            assertThat(at).as("rule %s in the console pattern, after the one before", option).isGreaterThanOrEqualTo(0);
            from = at + option.length();
        }
    }
}

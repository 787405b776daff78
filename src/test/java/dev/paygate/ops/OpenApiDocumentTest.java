package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The API document is valid OpenAPI 3.1 as swagger-parser reads it (required fields, field types,
 * unknown keywords, references that resolve), so Swagger UI and client generators can use it.
 * ApiContractTest checks that it describes what the gateway answers; this checks the document.
 */
class OpenApiDocumentTest {

    @Test
    void theDocumentIsValidOpenApi31() throws IOException {
        SwaggerParseResult result = parse(document());

        assertThat(result.getMessages()).as("swagger-parser's messages").isEmpty();
        assertThat(result.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
        assertThat(result.getOpenAPI().getPaths()).containsKeys("/accounts", "/transfers", "/transactions");
    }

    /** The parser does find faults: a broken reference and an unknown keyword in an operation. */
    @Test
    void aBrokenDocumentIsReported() throws IOException {
        String broken = document()
                .replaceFirst("\\$ref: '#/components/schemas/Transaction'", "\\$ref: '#/components/schemas/NoSuchSchema'")
                .replaceFirst("\n  /accounts:\n    post:\n", "\n  /accounts:\n    post:\n      colour: blue\n");

        assertThat(parse(broken).getMessages()).anyMatch(message -> message.contains("NoSuchSchema"))
                .anyMatch(message -> message.contains("colour"));
    }

    private static SwaggerParseResult parse(String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(yaml, null, options);
    }

    private static String document() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

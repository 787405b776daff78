package dev.paygate.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paygate.support.EndToEndTest;
import dev.paygate.support.SecondInstance;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** TLS is the README's three settings and a PKCS12 keystore: the gateway then speaks HTTPS only. */
class TlsTest extends EndToEndTest {

    private static final String PASSWORD = "test-only-password";

    @Test
    void aPkcs12KeystoreTurnsOnHttps(@TempDir Path directory) throws Exception {
        Path keystore = directory.resolve("paygate.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "paygate", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0)
                .as("keytool: %s", new String(keytool.getInputStream().readAllBytes())).isTrue();

        try (ConfigurableApplicationContext gateway = SecondInstance.start(
                "--server.ssl.key-store=file:" + keystore,
                "--server.ssl.key-store-type=PKCS12",
                "--server.ssl.key-store-password=" + PASSWORD)) {
            String port = gateway.getEnvironment().getProperty("local.server.port");
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(keystore))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String token = api.token("tls-client", List.of("CUSTOMER"), null);

            HttpResponse<String> accounts = trusting.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/accounts"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accounts.statusCode()).isEqualTo(200);
            assertThat(accounts.body()).contains("\"data\"");
            assertThat(accounts.sslSession()).hasValueSatisfying(session ->
                    assertThat(session.getProtocol()).isIn("TLSv1.2", "TLSv1.3"));

            assertThatThrownBy(() -> HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/accounts"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("plain HTTP on the TLS port gets no answer").isInstanceOf(Exception.class);
        }
    }

    /** A client that trusts exactly the gateway's self-signed certificate. */
    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}

package dev.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paygate.support.Api.User;
import dev.paygate.support.EndToEndTest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Guards against the reactor-netty defect of DESIGN.md: on a reused keep-alive connection, a
 * response whose handler completes on another thread (here, an R2DBC thread) must always be
 * written. Thousands of requests go over one socket; any one that hangs fails the test.
 */
class KeepAliveTest extends EndToEndTest {

    private static final int REQUESTS = 3_000;
    private static final int READ_TIMEOUT_MS = 5_000;

    @LocalServerPort
    int port;

    @Test
    void everyRequestOnOneKeepAliveConnectionIsAnswered() throws IOException {
        User alice = api.newCustomer();
        UUID account = alice.openAccount("USD");
        String token = api.token(alice.id(), java.util.List.of("CUSTOMER"), null);
        byte[] request = ("GET /accounts/" + account + "/balance HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + token + "\r\nAccept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < REQUESTS; i++) {
                out.write(request);
                out.flush();
                String response;
                try {
                    response = readResponse(in);
                } catch (SocketTimeoutException hung) {
                    throw new AssertionError("request " + i + " of " + REQUESTS + " got no response on a keep-alive connection");
                }
                assertThat(response).as("response %d", i).startsWith("HTTP/1.1 200").contains("\"balance\":\"0.00\"");
            }
        }
    }

    /** Reads one HTTP/1.1 response with a Content-Length body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by server");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return headers + new String(body, StandardCharsets.UTF_8);
    }
}

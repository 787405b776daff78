package dev.paygate.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.springframework.web.server.ServerWebExchange;

/**
 * The address a request came from. Behind a proxy, set {@code server.forward-headers-strategy}
 * so that it is the client's and not the proxy's.
 */
final class ClientAddresses {

    private ClientAddresses() {
    }

    static String of(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote == null) {
            return "unknown";
        }
        InetAddress address = remote.getAddress();
        return address == null ? remote.getHostString() : address.getHostAddress();
    }
}

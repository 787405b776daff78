package dev.paygate.event;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Which URLs webhooks may call. In production a webhook may not reach into the gateway's own
 * network (loopback, private, link-local addresses): a client must not be able to make the
 * gateway call internal services (SSRF). Checked at registration and again before each delivery,
 * since a name can resolve differently later.
 */
@Component
class WebhookTargets {

    private final boolean allowPrivate;

    WebhookTargets(WebhookProperties properties) {
        this.allowPrivate = properties.allowPrivateTargets();
    }

    /** Why the URL may not be called, or {@code null} when it may. Resolves the host: call off the event loop. */
    @Nullable String refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException malformed) {
            return "must be an absolute http or https URL";
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                || uri.getHost() == null || uri.getUserInfo() != null) {
            return "must be an absolute http or https URL without credentials";
        }
        if (allowPrivate) {
            return null;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                        || address.isAnyLocalAddress() || address.isMulticastAddress() || isUniqueLocal(address)) {
                    return "must not point at a loopback, private or link-local address";
                }
            }
        } catch (UnknownHostException unknown) {
            return "host does not resolve";
        }
        return null;
    }

    private static boolean isUniqueLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && (bytes[0] & 0xFE) == 0xFC;
    }
}

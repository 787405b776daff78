/** Events: the outbox relay, Kafka, Server-Sent Events streams and webhooks. */
@NullMarked
package dev.paygate.event;

import org.jspecify.annotations.NullMarked;

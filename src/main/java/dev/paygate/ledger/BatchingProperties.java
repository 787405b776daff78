package dev.paygate.ledger;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The ledger batcher: movements that arrive close together are applied in one statement and
 * one commit.
 *
 * @param enabled       off: every movement is its own statement and commit
 * @param windowMicros  how long the first movement of a batch waits for company
 * @param sizeMax       movements per batch at most
 * @param lanes         batches applied at once; a movement's lane is fixed by its debited
 *                      account, so movements from one account are applied in arrival order.
 *                      One by default: on the 2-core box one lane's bigger batches cost less
 *                      per movement than two lanes' smaller ones (bench/RESULTS.md)
 * @param queueMax      movements waiting per lane at most; beyond it requests get 503 at once
 */
@ConfigurationProperties("paygate.ledger.batching")
public record BatchingProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1000") long windowMicros,
        @DefaultValue("200") int sizeMax,
        @DefaultValue("1") int lanes,
        @DefaultValue("20000") int queueMax) {

    public BatchingProperties {
        if (windowMicros < 0 || windowMicros > 100_000) {
            throw new IllegalArgumentException("paygate.ledger.batching.window-micros must be 0..100000");
        }
        if (sizeMax < 1 || sizeMax > 1000) {
            // Each keyed movement takes one advisory lock; PostgreSQL's lock table is finite.
            throw new IllegalArgumentException("paygate.ledger.batching.size-max must be 1..1000");
        }
        if (lanes < 1 || lanes > 64) {
            throw new IllegalArgumentException("paygate.ledger.batching.lanes must be 1..64");
        }
        if (queueMax < sizeMax) {
            throw new IllegalArgumentException("paygate.ledger.batching.queue-max must be at least size-max");
        }
    }
}

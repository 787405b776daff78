package dev.paygate.load;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Transfers made earlier in the run, so status reads ask about real transfers, recent ones as a
 * client polling its payments would. A fixed ring: memory stays bounded however long the run.
 */
final class RecentTransfers {

    static final int CAPACITY = 4096;

    /** A transfer and the token of the customer who sent it (who may read its status). */
    record Made(String transferId, String token) {
    }

    private final AtomicReferenceArray<Made> ring = new AtomicReferenceArray<>(CAPACITY);
    private final AtomicLong added = new AtomicLong();

    void add(String transferId, String token) {
        long n = added.getAndIncrement();
        ring.set((int) (n % CAPACITY), new Made(transferId, token));
    }

    /** A random one of the latest {@link #CAPACITY}; there is always one once setup seeded the ring. */
    Made pick() {
        long filled = Math.min(added.get(), CAPACITY);
        if (filled == 0) {
            throw new IllegalStateException("no transfer recorded yet: setup must seed the ring");
        }
        Made made = ring.get(ThreadLocalRandom.current().nextInt((int) filled));
        if (made == null) {
            throw new IllegalStateException("ring slot empty below its fill mark");
        }
        return made;
    }
}

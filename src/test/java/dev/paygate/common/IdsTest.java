package dev.paygate.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsAreVersion7AndStrictlyIncreasingWithinOneMillisecond() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(Ids.next());
        }

        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i).version()).isEqualTo(7);
            assertThat(ids.get(i).variant()).isEqualTo(2);
            // PostgreSQL orders uuid bytewise, the same as comparing their hex text.
            assertThat(ids.get(i).toString()).isGreaterThan(ids.get(i - 1).toString());
        }
    }

    @Test
    void theTimestampIsTheCurrentTime() {
        long before = System.currentTimeMillis();
        long millis = Ids.next().getMostSignificantBits() >>> 16;

        assertThat(millis).isBetween(before, System.currentTimeMillis() + 1000);
    }
}

package dev.copyservices.agent.mirror;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecordBoundsTest {
    private static final long SIZE = 1L << 20;

    @Test
    void rangesWithinTheVolumeUpToItsEndAreAccepted() {
        assertNull(RecordBounds.outside("a write", 0, SIZE, SIZE));
        assertNull(RecordBounds.outside("a write", SIZE - 4096, 4096, SIZE));
        assertNull(RecordBounds.outside("a write", SIZE, 0, SIZE));
    }

    @Test
    void rangesPastTheEndAreRefused() {
        assertNotNull(RecordBounds.outside("a write", SIZE - 4095, 4096, SIZE));
        assertNotNull(RecordBounds.outside("a write", SIZE + 1, 0, SIZE));
    }

    @Test
    void uint64OffsetsAndLengthsThatAreNegativeLongsOrOverflowAreRefused() {
        // 2^64 - 4096 as a uint64 offset: a negative long, which "offset + length > size" let through
        String negative = RecordBounds.outside("a write", -4096, 4096, SIZE);
        assertNotNull(negative);
        assertTrue(negative.contains("18446744073709547520"), negative);
        assertNotNull(RecordBounds.outside("a zeroing", 4096, -1, SIZE));
        assertNotNull(RecordBounds.outside("a write", Long.MAX_VALUE, Long.MAX_VALUE, SIZE), "the sum overflows");
    }
}

package dev.copyservices.csi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.v1.CapacityRange;
import org.junit.jupiter.api.Test;

class CapacityTest {
    private static final long MIB = 1L << 20;

    private static long size(long required, long limit) {
        return Capacity.size(CapacityRange.newBuilder().setRequiredBytes(required).setLimitBytes(limit).build());
    }

    private static CsiError.Code refusal(long required, long limit) {
        return assertThrows(CsiError.class, () -> size(required, limit)).code();
    }

    @Test
    void noRangeGivesOneGibibyte() {
        assertEquals(1L << 30, size(0, 0));
    }

    @Test
    void aRequiredSizeIsRoundedUpToAWholeMebibyte() {
        assertEquals(2 * MIB, size(MIB + 1, 0));
        assertEquals(MIB, size(MIB, 0));
    }

    @Test
    void aLimitBelowTheRoundedSizeFallsBackToWholeSectors() {
        assertEquals(MIB + 512, size(MIB + 1, MIB + 1000));
    }

    @Test
    void onlyALimitGivesTheDefaultOrTheLimitInWholeSectors() {
        assertEquals(1000 * 512, size(0, 1000 * 512 + 100));
        assertEquals(1L << 30, size(0, 4L << 30));
    }

    @Test
    void negativeOrInvertedRangesAreInvalidArgument() {
        assertEquals(CsiError.Code.INVALID_ARGUMENT, refusal(-1, 0));
        assertEquals(CsiError.Code.INVALID_ARGUMENT, refusal(0, -1));
        assertEquals(CsiError.Code.INVALID_ARGUMENT, refusal(2 * MIB, MIB));
    }

    @Test
    void aRangeWithoutAWholeSectorIsOutOfRange() {
        assertEquals(CsiError.Code.OUT_OF_RANGE, refusal(100, 200));
        assertEquals(CsiError.Code.OUT_OF_RANGE, refusal(0, 100));
    }
}

package dev.copyservices.csi.controller;

import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.v1.CapacityRange;

/**
 * Turns a CSI capacity range into a volume size the agent accepts (a multiple of 512 bytes). Sizes are
 * rounded up to whole MiB where the limit allows, so that file systems align; without a range a
 * volume gets 1 GiB.
 */
final class Capacity {
    static final long DEFAULT_BYTES = 1L << 30;
    private static final long MIB = 1L << 20;
    private static final long SECTOR = 512;

    private Capacity() {
    }

    static long size(CapacityRange range) {
        long required = range.getRequiredBytes();
        long limit = range.getLimitBytes();
        if (required < 0 || limit < 0) {
            throw CsiError.invalid("capacity_range has a negative size (required_bytes " + required + ", limit_bytes "
                    + limit + "); give sizes of 0 or more");
        }
        if (limit > 0 && required > limit) {
            throw CsiError.invalid("capacity_range asks for at least " + required + " bytes but at most " + limit
                    + "; make limit_bytes at least required_bytes");
        }
        if (required == 0 && limit == 0) {
            return DEFAULT_BYTES;
        }
        if (required == 0) {
            long size = Math.min(DEFAULT_BYTES, limit);
            size = size / SECTOR * SECTOR;
            if (size == 0) {
                throw new CsiError(CsiError.Code.OUT_OF_RANGE, "limit_bytes " + limit
                        + " is smaller than the smallest volume (512 bytes)");
            }
            return size;
        }
        long rounded = roundUp(required, MIB);
        if (limit == 0 || rounded <= limit) {
            return rounded;
        }
        long sectors = roundUp(required, SECTOR);
        if (sectors <= limit) {
            return sectors;
        }
        throw new CsiError(CsiError.Code.OUT_OF_RANGE, "no volume size is a multiple of 512 bytes between "
                + required + " and " + limit + " bytes; widen capacity_range");
    }

    /** Whether an existing volume of this size satisfies the range. */
    static boolean fits(long sizeBytes, CapacityRange range) {
        return sizeBytes >= range.getRequiredBytes() && (range.getLimitBytes() == 0 || sizeBytes <= range.getLimitBytes());
    }

    private static long roundUp(long value, long unit) {
        return Math.ceilDiv(value, unit) * unit;
    }
}

package dev.copyservices.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void parsesBytesAndBinaryUnits() {
        assertEquals(512, Sizes.parse("512"));
        assertEquals(1024, Sizes.parse("1KiB"));
        assertEquals(1L << 30, Sizes.parse("1GiB"));
        assertEquals(1L << 30, Sizes.parse("1 gib"));
        assertEquals(3L << 29, Sizes.parse("1.5GiB"));
        assertEquals(1L << 40, Sizes.parse("1TiB"));
        assertEquals(42, Sizes.parse("42B"));
    }

    @Test
    void refusesDecimalUnitsWithTheBinaryUnitToUseInstead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse("10GB"));
        assertTrue(e.getMessage().contains("GiB"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("10G"));
    }

    @Test
    void refusesGarbageFractionsOfBytesAndOverflow() {
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("ten"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("1.1B"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("16EiB"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("1XiB"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(null));
    }

    @Test
    void formatsWithTheLargestUnit() {
        assertEquals("0 B", Sizes.format(0));
        assertEquals("1 KiB", Sizes.format(1024));
        assertEquals("1.5 GiB", Sizes.format(3L << 29));
        assertEquals("1 TiB", Sizes.format(1L << 40));
    }

    @Test
    void argumentIsExactAndReadsBackUnchanged() {
        assertEquals("8MiB", Sizes.argument(8L << 20));
        assertEquals("8389120", Sizes.argument((8L << 20) + 512));
        assertEquals("1536MiB", Sizes.argument(3L << 29));
        assertEquals("0", Sizes.argument(0));
        for (long bytes : new long[] {1, 1023, 1024, (8L << 20) + 512, 3L << 29, 1L << 40}) {
            assertEquals(bytes, Sizes.parse(Sizes.argument(bytes)));
        }
    }
}

package dev.copyservices.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.copyservices.api.Sizes;

/** The size parser of csctl: a non-negative size, or a message that says how to write one. */
class SizesFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void anySizeTextParsesToANonNegativeSizeOrIsRefusedWithAMessage(String text) {
        long size;
        try {
            size = Sizes.parse(text);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
            return;
        }
        assertTrue(size >= 0, text + " parsed to " + size);
        assertEquals(size, Sizes.parse(Long.toString(size)), "the size in bytes parses to itself");
        assertTrue(!Sizes.format(size).isBlank(), "a size can be shown");
    }
}

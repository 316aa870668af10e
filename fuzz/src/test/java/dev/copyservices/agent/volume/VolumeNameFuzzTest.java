package dev.copyservices.agent.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.copyservices.agent.error.EngineException;

/** Volume names: accepted only when they are safe as export names and in messages, refused with a correction otherwise. */
class VolumeNameFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void anAcceptedNameIsShortPrintableAndUntrimmedAndARefusalSaysWhatToDo(String name) {
        try {
            VolumeRules.checkName(name);
        } catch (EngineException refused) {
            assertTrue(!refused.getMessage().isBlank() && !refused.correction().isBlank(), refused.getMessage());
            return;
        }
        assertTrue(name.length() >= 1 && name.length() <= 30, name);
        assertEquals(name.strip(), name);
        assertTrue(name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "._- ".indexOf(c) >= 0)), name);
    }
}

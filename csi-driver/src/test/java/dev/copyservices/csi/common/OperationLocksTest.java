package dev.copyservices.csi.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OperationLocksTest {
    @Test
    void aSecondOperationOnTheSameKeyIsAbortedUntilTheFirstEnds() {
        OperationLocks locks = new OperationLocks();
        String result = locks.exclusive("vol", () -> {
            assertEquals(CsiError.Code.ABORTED, assertThrows(CsiError.class,
                    () -> locks.exclusive("vol", () -> { })).code());
            return locks.exclusive("other", () -> "other keys are free");
        });
        assertEquals("other keys are free", result);
        assertEquals("free again", locks.exclusive("vol", () -> "free again"));
    }

    @Test
    void aFailedOperationReleasesItsKey() {
        OperationLocks locks = new OperationLocks();
        assertThrows(IllegalStateException.class, () -> locks.exclusive("vol", () -> {
            throw new IllegalStateException("failed");
        }));
        assertEquals("released", locks.exclusive("vol", () -> "released"));
    }
}

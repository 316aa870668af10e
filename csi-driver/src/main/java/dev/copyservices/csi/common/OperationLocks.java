package dev.copyservices.csi.common;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * At most one operation per key (a volume id, a snapshot id or a request name) at a time. A second
 * call while one runs is refused at once with ABORTED, as the CSI specification asks, instead of
 * queueing: the CO retries it after the first one has finished.
 */
public final class OperationLocks {
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    /** Runs work holding the key; throws ABORTED when another operation holds it. */
    public <T> T exclusive(String key, Supplier<T> work) {
        if (!busy.add(key)) {
            throw new CsiError(CsiError.Code.ABORTED, "an operation on '" + key
                    + "' is already in progress; retry when it has finished");
        }
        try {
            return work.get();
        } finally {
            busy.remove(key);
        }
    }

    public void exclusive(String key, Runnable work) {
        exclusive(key, () -> {
            work.run();
            return null;
        });
    }
}

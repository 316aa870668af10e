package dev.copyservices.csi.common;

import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * At most one operation per key (a volume id, a snapshot id or a request name) at a time. A second
 * call while one runs is refused at once with ABORTED, as the CSI specification asks, instead of
 * queueing: the CO retries it after the first one has finished.
 */
public final class OperationLocks {
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    /** Holds the key until closed; throws ABORTED when another operation holds it. */
    public Held acquire(String key) {
        if (!busy.add(key)) {
            throw new CsiError(CsiError.Code.ABORTED, "an operation on '" + key
                    + "' is already in progress; retry when it has finished");
        }
        return () -> busy.remove(key);
    }

    public interface Held extends AutoCloseable {
        @Override
        void close();
    }
}

package dev.copyservices.agent.flashcopy;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for one file's fdatasync: a caller that needs its completed writes durable waits for
 * a sync that started after it called, and one sync serves every caller waiting at that moment.
 * Copy-on-write pays a sync per first write to a region; under concurrent writers this makes it
 * one sync per batch of them.
 */
public final class GroupSync {
    public interface SyncAction {
        void sync() throws IOException;
    }

    private final SyncAction action;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private long started; // syncs started so far, numbered from 1
    private long completed; // the highest sync number that completed
    private boolean syncing;

    public GroupSync(SyncAction action) {
        this.action = action;
    }

    /** Returns once a sync that started after this call has completed; throws if the one it ran failed. */
    public void await() throws IOException {
        lock.lock();
        try {
            long needed = started + 1; // a sync in progress may have started before the caller's writes
            while (completed < needed) {
                if (syncing) {
                    finished.awaitUninterruptibly();
                    continue;
                }
                syncing = true;
                long mine = ++started;
                boolean done = false;
                lock.unlock();
                try {
                    action.sync();
                    done = true;
                } finally {
                    lock.lock();
                    syncing = false;
                    if (done) {
                        completed = Math.max(completed, mine);
                    }
                    finished.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}

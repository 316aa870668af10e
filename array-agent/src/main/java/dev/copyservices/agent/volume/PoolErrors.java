package dev.copyservices.agent.volume;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import java.io.IOException;

/** Turns a failed file operation of the pool into an engine error a person can act on. */
public final class PoolErrors {
    private PoolErrors() {
    }

    /** The pool's file system is full (ENOSPC or EDQUOT): Java reports both only in the message. */
    public static boolean noSpace(IOException e) {
        String text = String.valueOf(e.getMessage());
        return text.contains("No space left") || text.contains("Disk quota exceeded");
    }

    public static EngineException of(String action, IOException e) {
        String text = String.valueOf(e.getMessage());
        if (noSpace(e)) {
            return new EngineException(Reason.POOL_FULL, "could not " + action + ": the pool's file system is full",
                    "free space in the pool, or delete volumes you no longer need", e);
        }
        if (text.contains("File too large")) {
            return new EngineException(Reason.INVALID_SIZE, "could not " + action + ": the pool's file system"
                    + " cannot hold a volume this large", "give a smaller size", e);
        }
        return new EngineException(Reason.POOL_IO_ERROR, "could not " + action + ": " + text,
                "check the pool directory's disk and permissions, and the agent's log", e);
    }
}

package dev.copyservices.agent.volume;

import java.io.IOException;

/** An I/O failure with a kind the data path can answer precisely (NBD errno) instead of plain EIO. */
public class BlockIoException extends IOException {
    public enum Kind {
        /** The medium failed. */
        IO,
        /** No space left to complete the write (pool or repository full). */
        NO_SPACE,
        /** The volume refuses this kind of access in its current state, e.g. read-only. */
        NOT_PERMITTED
    }

    private final Kind kind;

    public BlockIoException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BlockIoException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

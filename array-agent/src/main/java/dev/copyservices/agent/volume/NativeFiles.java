package dev.copyservices.agent.volume;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The few Linux file calls Java 21 has no API for: punching holes (so TRIM and WRITE_ZEROES give
 * space back to a thin pool) and walking data extents (so a volume can report its real allocation).
 * Everything degrades to a plain-Java fallback when the native library cannot be loaded.
 */
final class NativeFiles {
    private static final Logger LOG = Logger.getLogger(NativeFiles.class.getName());
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;

    private static final boolean AVAILABLE = load();

    private NativeFiles() {
    }

    private static boolean load() {
        if (!Platform.isLinux()) {
            return false;
        }
        try {
            Native.register(NativeFiles.class, Platform.C_LIBRARY_NAME);
            return true;
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "native file calls unavailable; TRIM will not free space: " + e);
            return false;
        }
    }

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    private static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    private static native long copy_file_range(int fdIn, long[] offIn, int fdOut, long[] offOut, long length,
            int flags) throws LastErrorException;

    /** A descriptor of our own on a volume's data file, for calls FileChannel cannot make. */
    static int openDescriptor(Path file) {
        if (!AVAILABLE) {
            return -1;
        }
        try {
            return open(file.toString(), O_RDWR | O_CLOEXEC);
        } catch (LastErrorException e) {
            LOG.warning("cannot open " + file + " for hole punching: errno " + e.getErrorCode());
            return -1;
        }
    }

    static void closeDescriptor(int fd) {
        if (fd >= 0) {
            try {
                close(fd);
            } catch (LastErrorException ignored) {
                // nothing left to do with a descriptor that will not close
            }
        }
    }

    /** Deallocates the range, which then reads as zeroes; false if the file system cannot. */
    static boolean punchHole(int fd, long offset, long length) {
        if (fd < 0) {
            return false;
        }
        try {
            fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /**
     * Copies a range between two files at the same offset inside the kernel (copy_file_range(2)):
     * no trip through user space, and no position shared between threads. False when the kernel or
     * file system cannot, before anything was copied, so the caller copies by hand.
     */
    static boolean copyRange(int fdIn, int fdOut, long offset, long length) throws java.io.IOException {
        if (fdIn < 0 || fdOut < 0) {
            return false;
        }
        long[] in = {offset};
        long[] out = {offset};
        long left = length;
        try {
            while (left > 0) {
                long n = copy_file_range(fdIn, in, fdOut, out, left, 0);
                if (n <= 0) {
                    break; // end of the source file: the rest reads as zeroes, which a sparse target already is
                }
                left -= n;
            }
            return true;
        } catch (LastErrorException e) {
            if (left == length) {
                return false; // e.g. EXDEV, ENOSYS, EINVAL: not supported here
            }
            throw new java.io.IOException("copy_file_range failed after " + (length - left) + " bytes: errno "
                    + e.getErrorCode(), e);
        }
    }

    /**
     * The start of the next data extent at or after {@code position}, or -1 when only a hole is
     * left; {@code position} itself when the platform cannot say (everything counts as data).
     */
    static long nextData(int fd, long position) {
        return seek(fd, position, SEEK_DATA, position);
    }

    /** The start of the next hole at or after {@code position} (the file's end counts as one). */
    static long nextHole(int fd, long position, long fileSize) {
        long hole = seek(fd, position, SEEK_HOLE, fileSize);
        return hole < 0 ? fileSize : hole;
    }

    private static long seek(int fd, long position, int whence, long unknown) {
        if (fd < 0) {
            return unknown;
        }
        try {
            return lseek(fd, position, whence);
        } catch (LastErrorException e) {
            return e.getErrorCode() == ENXIO ? -1 : unknown;
        }
    }

    /** Bytes of the file that hold data, by walking its extents; -1 if unknown. */
    static long allocatedBytes(int fd, long fileSize) {
        if (fd < 0) {
            return -1;
        }
        long total = 0;
        long position = 0;
        try {
            while (position < fileSize) {
                long dataStart;
                try {
                    dataStart = lseek(fd, position, SEEK_DATA);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENXIO) {
                        break; // only a hole is left
                    }
                    throw e;
                }
                long holeStart = lseek(fd, dataStart, SEEK_HOLE);
                total += holeStart - dataStart;
                position = holeStart;
            }
            return total;
        } catch (LastErrorException e) {
            return -1;
        }
    }
}

package dev.copyservices.csi.node;

import dev.copyservices.csi.common.CsiError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Attaches a volume's NBD export as a block device without the kernel NBD client: nbdfuse (libnbd)
 * shows the export as a file on a FUSE mount, and a loop device over that file is the block device.
 * Everything lives under one directory per volume ({@code <state>/attach/<array>@<volume>/}), so a
 * restarted driver finds what it attached: the FUSE mount, its loop device, nbdfuse's pid file.
 */
public class NbdAttacher {
    private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final Path stateDir;
    private final Commands commands;
    private final Mounts mounts;

    public NbdAttacher(Path stateDir, Commands commands, Mounts mounts) {
        this.stateDir = stateDir;
        this.commands = commands;
        this.mounts = mounts;
    }

    private Path dir(String volumeId) {
        return stateDir.resolve("attach").resolve(volumeId.replace('/', '@'));
    }

    private Path fuseDir(String volumeId) {
        return dir(volumeId).resolve("fuse");
    }

    private Path exportFile(String volumeId) {
        return fuseDir(volumeId).resolve("disk");
    }

    /** The loop device of an attached volume, if it is attached. */
    public Optional<Path> device(String volumeId) {
        if (mounts.at(fuseDir(volumeId)).isEmpty()) {
            return Optional.empty();
        }
        return readWriteDevice(volumeId);
    }

    /** Attaches the export at uri (nbd://host:port/name) and answers its block device; attached already is fine. */
    public Path attach(String volumeId, String uri) {
        Optional<Path> attached = device(volumeId);
        if (attached.isPresent()) {
            return attached.get();
        }
        if (mounts.at(fuseDir(volumeId)).isEmpty()) {
            startNbdfuse(volumeId, uri);
        }
        try {
            // direct I/O: the loop device passes requests to nbdfuse instead of caching them a second
            // time in the page cache of the FUSE file (4k random writes went from 6.6k to 10.7k IOPS)
            String device = commands.check(List.of("losetup", "--find", "--show", "--direct-io=on",
                    exportFile(volumeId).toString()));
            return Path.of(device);
        } catch (CsiError e) {
            detach(volumeId);
            throw e;
        }
    }

    private void startNbdfuse(String volumeId, String uri) {
        Path dir = dir(volumeId);
        Path pidFile = dir.resolve("nbdfuse.pid");
        Path log = dir.resolve("nbdfuse.log");
        Process process;
        try {
            Files.createDirectories(fuseDir(volumeId));
            Files.deleteIfExists(pidFile);
            // setsid: the attachment outlives a restart of the driver, as a mounted file system must
            process = new ProcessBuilder("setsid", "nbdfuse", "-P", pidFile.toString(), exportFile(volumeId).toString(),
                    uri).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw CsiError.internal("cannot start nbdfuse for " + volumeId + ": " + e.getMessage()
                    + "; the node needs nbdfuse (Debian package libnbd-bin)", e);
        }
        long deadline = System.nanoTime() + ATTACH_TIMEOUT.toNanos();
        while (!ready(pidFile, volumeId)) {
            if (!process.isAlive()) {
                throw new CsiError(CsiError.Code.UNAVAILABLE, "nbdfuse could not attach " + uri + " (exit "
                        + process.exitValue() + "): " + readLog(log) + "; check that the agent's NBD listener is"
                        + " reachable from this node");
            }
            if (System.nanoTime() > deadline) {
                process.destroy();
                throw new CsiError(CsiError.Code.UNAVAILABLE, "nbdfuse did not attach " + uri + " within "
                        + ATTACH_TIMEOUT.toSeconds() + " s: " + readLog(log));
            }
            pause();
        }
    }

    private boolean ready(Path pidFile, String volumeId) {
        try {
            return Files.exists(pidFile) && Files.size(pidFile) > 0 && mounts.at(fuseDir(volumeId)).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** Detaches: loop devices off, FUSE mount gone (nbdfuse exits with it), state removed. Detached already is fine. */
    public void detach(String volumeId) {
        Path dir = dir(volumeId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        boolean fuseMounted = mounts.at(fuseDir(volumeId)).isPresent();
        if (fuseMounted) {
            for (Path loop : loopDevices(volumeId)) {
                commands.check(List.of("losetup", "--detach", loop.toString()));
            }
            commands.check(List.of("umount", fuseDir(volumeId).toString()));
        }
        awaitNbdfuseExit(dir.resolve("nbdfuse.pid"));
        deleteTree(dir);
    }

    /** A loop device over an export file, and whether it is read-only. */
    private record Loop(Path device, boolean readOnly, Path backingFile) {
    }

    private List<Loop> loops() {
        Commands.Result result = commands.run(List.of("losetup", "--list", "--noheadings", "--output",
                "NAME,RO,BACK-FILE"));
        List<Loop> loops = new ArrayList<>();
        if (result.ok()) {
            for (String line : result.output().split("\n")) {
                String[] f = line.strip().split("\\s+", 3);
                if (f.length == 3) {
                    loops.add(new Loop(Path.of(f[0]), f[1].equals("1"), Path.of(f[2].strip())));
                }
            }
        }
        return loops;
    }

    /** Every loop device over the volume's export file (read-write and read-only ones). */
    public List<Path> loopDevices(String volumeId) {
        return loops().stream().filter(l -> l.backingFile().equals(exportFile(volumeId))).map(Loop::device).toList();
    }

    private Optional<Path> readWriteDevice(String volumeId) {
        return loops().stream().filter(l -> l.backingFile().equals(exportFile(volumeId)) && !l.readOnly())
                .map(Loop::device).findFirst();
    }

    /**
     * A second, read-only loop device over an attached volume, for a read-only block publish: a
     * read-only bind mount of a device node still lets a process open the device for writing.
     */
    public Path readOnlyDevice(String volumeId) {
        if (device(volumeId).isEmpty()) {
            throw CsiError.precondition("volume " + volumeId + " is not staged on this node; call NodeStageVolume first");
        }
        return Path.of(commands.check(List.of("losetup", "--find", "--show", "--read-only", "--direct-io=on",
                exportFile(volumeId).toString())));
    }

    /** Detaches a read-only loop device of one of the driver's attachments once nothing uses it. */
    public void releaseReadOnly(Path device) {
        Path attach = stateDir.resolve("attach");
        for (Loop loop : loops()) {
            if (loop.device().equals(device) && loop.readOnly() && loop.backingFile().startsWith(attach)) {
                commands.check(List.of("losetup", "--detach", device.toString()));
            }
        }
    }

    private void awaitNbdfuseExit(Path pidFile) {
        Optional<ProcessHandle> nbdfuse = pid(pidFile).flatMap(ProcessHandle::of)
                .filter(p -> p.info().command().map(c -> c.endsWith("nbdfuse")).orElse(false));
        if (nbdfuse.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + EXIT_TIMEOUT.toNanos();
        while (nbdfuse.get().isAlive()) {
            if (System.nanoTime() > deadline) {
                nbdfuse.get().destroy();
                return;
            }
            pause();
        }
    }

    private static Optional<Long> pid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw CsiError.internal("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CsiError(CsiError.Code.ABORTED, "interrupted; retry");
        }
    }
}

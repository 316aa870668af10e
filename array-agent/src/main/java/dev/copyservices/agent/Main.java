package dev.copyservices.agent;

import dev.copyservices.agent.array.ArrayEngine;
import dev.copyservices.agent.array.ArrayLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.volumecopy.CopyIo;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import picocli.CommandLine.Option;

/** {@code array-agent}: parses the command line, starts the agent, stops it cleanly on SIGTERM/SIGINT. */
@Command(name = "array-agent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serves a storage pool's volumes over NBD and a gRPC control API.")
public final class Main implements Callable<Integer> {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    @Option(names = "--pool-dir", required = true, description = "Directory of the storage pool (created if missing).")
    Path poolDir;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7400", description = "gRPC control address (default ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--nbd-listen", defaultValue = "127.0.0.1:10809", description = "NBD address (default ${DEFAULT-VALUE}).")
    String nbdListen;

    @Option(names = "--name", description = "Array name (default: the host name).")
    String name;

    @Option(names = "--site", defaultValue = "default", description = "Site this array belongs to (default ${DEFAULT-VALUE}).")
    String site;

    @Option(names = "--max-volumes", defaultValue = "2048", description = "Volumes per array, counting repositories, copy targets and mirror volumes (default ${DEFAULT-VALUE}).")
    int maxVolumes;

    @Option(names = "--max-flashcopies-per-base", defaultValue = "4", description = "FlashCopies per base volume (default ${DEFAULT-VALUE}).")
    int maxFlashCopiesPerBase;

    @Option(names = "--max-flashcopies", description = "FlashCopies per array (default: half of --max-volumes).")
    Integer maxFlashCopies;

    @Option(names = "--max-copies-in-progress", defaultValue = "8", description = "VolumeCopies in progress at once (default ${DEFAULT-VALUE}).")
    int maxCopiesInProgress;

    @Option(names = "--max-mirrors", defaultValue = "64", description = "Remote mirrors per array (default ${DEFAULT-VALUE}).")
    int maxMirrors;

    @Option(names = "--cow-chunk-size", defaultValue = "16KiB", description = "FlashCopy copy-on-write chunk: a power"
            + " of two from 512 bytes to 64KiB (default ${DEFAULT-VALUE}, the seed's 32 blocks of 512 bytes). Applies to"
            + " FlashCopies created from now on.")
    String cowChunkSize;

    @Option(names = "--disable-feature", paramLabel = "FEATURE", description = "Refuse new objects of a copy service"
            + " (flashcopy, volumecopy); existing ones keep working. Repeatable.")
    java.util.List<String> disabledFeatures = new java.util.ArrayList<>();

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n");
        }
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            cl.getErr().println("array-agent: " + e.getMessage());
            return 1;
        });
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Agent.Config config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        Agent agent = Agent.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    private Agent.Config config() {
        String arrayName = name != null ? name : hostName();
        for (String[] id : new String[][] {{"--name", arrayName}, {"--site", site}}) {
            if (!IDENTIFIER.matcher(id[1]).matches()) {
                throw new IllegalArgumentException(id[0] + " '" + id[1] + "' is not allowed; use 1-63 letters, digits,"
                        + " '.', '_' or '-', starting with a letter or digit");
            }
        }
        ArrayLimits limits = new ArrayLimits(maxVolumes, maxFlashCopiesPerBase,
                maxFlashCopies != null ? maxFlashCopies : Math.max(1, maxVolumes / 2), maxCopiesInProgress, maxMirrors);
        for (String feature : disabledFeatures) {
            if (!feature.equals("flashcopy") && !feature.equals("volumecopy")) {
                throw new IllegalArgumentException("--disable-feature '" + feature + "' is unknown; features:"
                        + " flashcopy, volumecopy");
            }
        }
        long chunk = dev.copyservices.api.Sizes.parse(cowChunkSize);
        if (chunk > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--cow-chunk-size " + cowChunkSize + " is too large; give at most 64KiB");
        }
        FlashCopyEngine.Options flashCopy = new FlashCopyEngine.Options(!disabledFeatures.contains("flashcopy"),
                (int) chunk);
        return new Agent.Config(poolDir, HostPort.parse("--listen", listen), HostPort.parse("--nbd-listen", nbdListen),
                arrayName, site, limits, flashCopy, new VolumeCopyEngine.Options(!disabledFeatures.contains("volumecopy"),
                        CopyIo.DIRECT));
    }

    private static String hostName() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            int dot = host.indexOf('.');
            return dot > 0 ? host.substring(0, dot) : host;
        } catch (UnknownHostException e) {
            return "array";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"array-agent " + ArrayEngine.version()};
        }
    }
}

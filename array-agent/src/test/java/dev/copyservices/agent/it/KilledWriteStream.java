package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one qemu-io client through a list of commands against an export and kill -9s the agent as
 * soon as the client has seen a given number of writes acknowledged. Reports what the client saw:
 * writes acknowledged, and flush markers (a "flush" followed by "length": the length line proves
 * the flush before it completed). Markers printed after the kill do not count: qemu-io prints the
 * length from its cache even when the flush before it failed.
 */
final class KilledWriteStream {
    record Seen(int acknowledgedWrites, int completedFlushMarkers) {
    }

    /** What happens at the kill point: kill -9 of the agent written to, or of another one. */
    @FunctionalInterface
    interface Kill {
        void run() throws Exception;
    }

    private KilledWriteStream() {
    }

    static Seen run(AgentProcess agent, String export, List<String> commands, int killAfterWrites, String context)
            throws Exception {
        return run(agent, export, commands, killAfterWrites, agent::kill9, context);
    }

    /**
     * As above, but runs {@code kill} at the kill point, e.g. to kill the peer of the agent written to;
     * the client then goes on through its commands.
     */
    static Seen run(AgentProcess agent, String export, List<String> commands, int killAfterWrites, Kill kill,
            String context) throws Exception {
        List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "qemu-io", "-f", "raw", agent.nbdUri(export)));
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        client.getOutputStream().close();
        int acked = 0;
        int markers = 0;
        boolean killed = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("wrote ")) {
                    acked++;
                } else if (!killed && (line.matches("\\d+(\\.\\d+)? [KMG]iB") || line.matches("\\d+ bytes"))) {
                    markers++;
                }
                if (!killed && acked == killAfterWrites) {
                    kill.run();
                    killed = true;
                }
            }
        }
        client.waitFor();
        assertTrue(killed, context + ": the client stopped after " + acked + " writes, before the kill point");
        return new Seen(acked, markers);
    }
}

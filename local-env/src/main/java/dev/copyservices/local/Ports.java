package dev.copyservices.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * The loopback ports of every process, chosen once (free ports at the first start) and kept in
 * ports.properties: a site that is stopped or crashed comes back on the same addresses, which the
 * kubeconfig, the StorageArrays and the other site's mirrors hold.
 */
final class Ports {
    private final Path file;
    private final Properties ports = new Properties();
    private final Set<Integer> handedOut = new HashSet<>();
    private boolean changed;

    private Ports(Path file) {
        this.file = file;
    }

    static Ports load(Path file) throws IOException {
        Ports ports = new Ports(file);
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                ports.ports.load(reader);
            }
            ports.ports.values().forEach(p -> ports.handedOut.add(Integer.parseInt((String) p)));
        }
        return ports;
    }

    /** The port for {@code key}, a free one the first time. */
    synchronized int of(String key) throws IOException {
        String known = ports.getProperty(key);
        if (known != null) {
            return Integer.parseInt(known);
        }
        int port;
        do {
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
        } while (!handedOut.add(port));
        ports.setProperty(key, Integer.toString(port));
        changed = true;
        return port;
    }

    String address(String key) throws IOException {
        return "127.0.0.1:" + of(key);
    }

    synchronized void save() throws IOException {
        if (changed) {
            try (Writer writer = Files.newBufferedWriter(file)) {
                ports.store(writer, "loopback ports of the local two-site environment; delete with the environment only");
            }
            changed = false;
        }
    }
}

package dev.copyservices.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The processes one site runs, by component name (etcd, kube-apiserver, node-1, node-2, operator):
 * pid and start time in processes.properties, so that a later command finds them and never signals
 * a process that merely reuses a pid.
 */
final class ProcessRecords {
    private final Path file;
    private final Map<String, String> records = new LinkedHashMap<>();

    private ProcessRecords(Path file) {
        this.file = file;
    }

    static ProcessRecords load(Path file) throws IOException {
        ProcessRecords records = new ProcessRecords(file);
        if (Files.exists(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
            for (String order : properties.getProperty("order", "").split(",")) {
                if (!order.isBlank() && properties.getProperty(order) != null) {
                    records.records.put(order, properties.getProperty(order));
                }
            }
        }
        return records;
    }

    void put(String component, ProcessHandle process) throws IOException {
        records.remove(component);
        records.put(component, process.pid() + "@" + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
        save();
    }

    /** The live process of the component, if the recorded one still runs. */
    Optional<ProcessHandle> alive(String component) {
        String record = records.get(component);
        if (record == null) {
            return Optional.empty();
        }
        long pid = Long.parseLong(record.substring(0, record.indexOf('@')));
        long started = Long.parseLong(record.substring(record.indexOf('@') + 1));
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> h.info().startInstant()
                .map(Instant::toEpochMilli).orElse(0L) == started);
    }

    List<String> components() {
        return new ArrayList<>(records.keySet());
    }

    /**
     * Stops the components' processes together: SIGTERM to all (SIGKILL when {@code kill}), then up to
     * 30 s (10 s) for each to exit before SIGKILL.
     */
    void stop(List<String> components, boolean kill) throws IOException {
        List<ProcessHandle> signalled = new ArrayList<>();
        for (String component : components) {
            alive(component).ifPresent(process -> {
                if (kill) {
                    process.destroyForcibly();
                } else {
                    process.destroy();
                }
                signalled.add(process);
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(kill ? 10 : 30);
        for (ProcessHandle process : signalled) {
            try {
                process.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                process.destroyForcibly();
                process.onExit().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping " + components, e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("waiting for " + components + " to exit: " + e.getCause(), e);
            }
        }
        components.forEach(records::remove);
        save();
    }

    private void save() throws IOException {
        Properties properties = new Properties();
        records.forEach(properties::setProperty);
        properties.setProperty("order", String.join(",", records.keySet()));
        try (Writer writer = Files.newBufferedWriter(file)) {
            properties.store(writer, "processes of this site: pid@start time (ms)");
        }
    }
}

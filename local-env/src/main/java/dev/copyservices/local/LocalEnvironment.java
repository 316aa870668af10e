package dev.copyservices.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The two sites together: start, stop and crash them, and describe them for people and scripts. */
final class LocalEnvironment {
    private final Layout layout;
    private final Launcher launcher;

    LocalEnvironment(Path dir, Path root) {
        this.layout = new Layout(dir);
        this.launcher = new Launcher(root);
    }

    Layout layout() {
        return layout;
    }

    private LocalSite site(String site, Ports ports, Pki pki) {
        return new LocalSite(site, layout, ports, launcher, pki);
    }

    /** Starts what is not running at the given sites (both when empty), then writes the kubeconfig. */
    void up(List<String> sites, PrintStream out) throws IOException, InterruptedException {
        Files.createDirectories(layout.dir());
        Ports ports = Ports.load(layout.ports());
        Pki pki = Pki.createOrLoad(layout.pki());
        for (String site : sites.isEmpty() ? Layout.SITES : sites) {
            out.println(site + ": starting what is not running ...");
            site(site, ports, pki).start();
            out.println(site + ": up");
        }
        ports.save();
        writeKubeconfig(ports);
    }

    void down(List<String> sites, boolean kill) throws IOException, InterruptedException {
        if (!Files.exists(layout.ports())) {
            return;
        }
        Ports ports = Ports.load(layout.ports());
        List<Thread> stopping = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String site : sites.isEmpty() ? Layout.SITES : sites) {
            // both sites at once: each waits only for its own processes
            stopping.add(Thread.ofPlatform().name("stop-" + site).start(() -> {
                try {
                    site(site, ports, null).stop(kill);
                } catch (IOException | RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : stopping) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IOException("stopping the sites: " + failures, failures.get(0));
        }
    }

    private void writeKubeconfig(Ports ports) throws IOException, InterruptedException {
        StringBuilder clusters = new StringBuilder();
        StringBuilder users = new StringBuilder();
        StringBuilder contexts = new StringBuilder();
        for (String name : Layout.SITES) {
            LocalSite site = site(name, ports, null);
            clusters.append("""
                    - name: %s
                      cluster:
                        server: %s
                        insecure-skip-tls-verify: true
                    """.formatted(name, site.apiServer()));
            users.append("""
                    - name: %s-admin
                      user:
                        token: %s
                    """.formatted(name, site.token()));
            contexts.append("""
                    - name: %s
                      context:
                        cluster: %s
                        user: %s-admin
                        namespace: default
                    """.formatted(name, name, name));
        }
        String kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n" + clusters + "users:\n" + users + "contexts:\n"
                + contexts + "current-context: " + Layout.SITES.get(0) + "\n";
        Files.writeString(layout.kubeconfig(), kubeconfig);
        Files.setPosixFilePermissions(layout.kubeconfig(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    /** Every address a script needs, as NAME=VALUE lines (SITE_A_NODE_1_NBD=127.0.0.1:PORT, ...). */
    Map<String, String> addresses() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBECONFIG", layout.kubeconfig().toString());
        // csctl as the environment's cli-admin: the agents take mutual TLS only
        Pki pki = Pki.at(layout.pki());
        env.put("CSCTL_TLS_CERT", pki.adminCert().toString());
        env.put("CSCTL_TLS_KEY", pki.adminKey().toString());
        env.put("CSCTL_TLS_CA", pki.ca().toString());
        Ports ports = Ports.load(layout.ports());
        for (String name : Layout.SITES) {
            LocalSite site = site(name, ports, null);
            String prefix = name.toUpperCase().replace('-', '_');
            env.put(prefix + "_API_SERVER", site.apiServer());
            for (String node : Layout.NODES) {
                String nodePrefix = prefix + "_" + node.toUpperCase().replace('-', '_');
                env.put(nodePrefix + "_ARRAY", Layout.arrayName(name, node));
                env.put(nodePrefix + "_CONTROL", site.controlAddress(node));
                env.put(nodePrefix + "_NBD", site.nbdAddress(node));
                env.put(nodePrefix + "_REPLICATION", site.replicationAddress(node));
            }
        }
        return env;
    }

    /** One line per process: site, component, running or not, pid, address, log. */
    List<String> status() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-7s %-15s %-8s %-8s %-22s %s", "SITE", "COMPONENT", "STATE", "PID", "ADDRESS", "LOG"));
        Ports ports = Ports.load(layout.ports());
        for (String name : Layout.SITES) {
            LocalSite site = site(name, ports, null);
            ProcessRecords records = site.records();
            for (String component : LocalSite.components()) {
                var process = records.alive(component);
                String address = switch (component) {
                    case LocalSite.ETCD -> ports.address(name + ".etcd.client");
                    case LocalSite.API_SERVER -> site.apiServer().replace("https://", "");
                    case LocalSite.OPERATOR -> "127.0.0.1:" + site.operatorHttpPort();
                    default -> site.controlAddress(component);
                };
                Path log = switch (component) {
                    case LocalSite.ETCD, LocalSite.API_SERVER -> layout.kube(name).resolve(component + ".log");
                    default -> layout.log(name, component);
                };
                lines.add(String.format("%-7s %-15s %-8s %-8s %-22s %s", name, component,
                        process.isPresent() ? "running" : "stopped", process.map(p -> Long.toString(p.pid())).orElse("-"),
                        address, log));
            }
        }
        return lines;
    }
}

package dev.copyservices.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code copyservices-local}: two sites on one machine with no cluster, each a real kube-apiserver
 * and etcd, the operator and the agents of two nodes, paired for mirroring. State lives under
 * $COPYSERVICES_LOCAL_DIR (default ~/.copyservices-local).
 */
@Command(name = "copyservices-local", mixinStandardHelpOptions = true,
        description = "The local two-site environment: site-a and site-b, each a kube-apiserver with etcd, the operator"
                + " and two array agents, on loopback.",
        subcommands = {Main.Up.class, Main.Down.class, Main.Crash.class, Main.Status.class, Main.Env.class})
public final class Main {
    static LocalEnvironment environment() {
        String dir = System.getenv("COPYSERVICES_LOCAL_DIR");
        Path state = dir == null || dir.isBlank() ? Path.of(System.getProperty("user.home"), ".copyservices-local") : Path.of(dir);
        String root = System.getenv("COPYSERVICES_ROOT");
        if (root == null || !Files.isDirectory(Path.of(root, "bin"))) {
            throw new IllegalStateException("COPYSERVICES_ROOT does not name the repository; start this with bin/copyservices-local");
        }
        if (System.getProperty("kube.bin") == null) {
            System.setProperty("kube.bin", Path.of(root, ".tools/kube/bin").toString());
        }
        return new LocalEnvironment(state.toAbsolutePath(), Path.of(root));
    }

    static List<String> sites(List<String> given) {
        List<String> sites = new ArrayList<>();
        for (String site : given) {
            sites.add(Layout.requireSite(site));
        }
        return sites;
    }

    @Command(name = "up", description = "Start both sites, or the ones named, reusing their data; what runs already is left alone.")
    static final class Up implements Callable<Integer> {
        @Parameters(arity = "0..2", paramLabel = "SITE", description = "site-a and/or site-b (default both)")
        List<String> sites = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            LocalEnvironment env = environment();
            env.up(sites(sites), System.out);
            Path kubeconfig = env.layout().kubeconfig();
            var addresses = env.addresses();
            System.out.println();
            System.out.println((sites.isEmpty() ? "Both sites are" : String.join(" and ", sites) + " is") + " up."
                    + " Kubeconfig (contexts site-a and site-b): " + kubeconfig);
            System.out.println("Try:");
            System.out.println("  eval \"$(bin/copyservices-local env)\"    # KUBECONFIG, and csctl's certificate (CSCTL_TLS_*)");
            System.out.println("  kubectl --context site-a get storagearrays");
            System.out.println("  bin/csctl --agent " + addresses.get("SITE_A_NODE_1_CONTROL") + " volume create db --size 1GiB");
            System.out.println("  bin/csctl --agent " + addresses.get("SITE_B_NODE_1_CONTROL") + " volume create db --size 1GiB");
            System.out.println("  then a RemoteMirror at site-a with volume {array: node-1, volume: db} and peer {site: site-b,"
                    + " endpoint: \"" + addresses.get("SITE_B_NODE_1_REPLICATION") + "\", volume: db} (docs/local-env.md)");
            System.out.println("  bin/copyservices-local status | env | down");
            return 0;
        }
    }

    @Command(name = "down", description = "Stop both sites, or the ones named (SIGTERM); their data stays for the next up.")
    static final class Down implements Callable<Integer> {
        @Parameters(arity = "0..2", paramLabel = "SITE", description = "site-a and/or site-b (default both)")
        List<String> sites = new ArrayList<>();

        @Option(names = "--purge", description = "Also delete the environment's directory (volumes, etcd data, certificates).")
        boolean purge;

        @Override
        public Integer call() throws Exception {
            LocalEnvironment env = environment();
            if (purge && !sites.isEmpty()) {
                throw new IllegalArgumentException("--purge deletes the whole environment; give no site with it");
            }
            env.down(sites(sites), false);
            if (purge) {
                deleteTree(env.layout().dir());
                System.out.println("deleted " + env.layout().dir());
            }
            return 0;
        }
    }

    @Command(name = "crash", description = "kill -9 every process of a site at once, as a site failure would.")
    static final class Crash implements Callable<Integer> {
        @Parameters(paramLabel = "SITE", description = "site-a or site-b")
        String site;

        @Override
        public Integer call() throws Exception {
            environment().down(List.of(Layout.requireSite(site)), true);
            System.out.println(site + ": every process killed; bring it back with: bin/copyservices-local up " + site);
            return 0;
        }
    }

    @Command(name = "status", description = "Each process of both sites: running or stopped, pid, address, log.")
    static final class Status implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            environment().status().forEach(System.out::println);
            return 0;
        }
    }

    @Command(name = "env", description = "The addresses as NAME=VALUE lines for scripts: eval \"$(bin/copyservices-local env)\".")
    static final class Env implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            environment().addresses().forEach((name, value) -> System.out.println("export " + name + "=" + value));
            return 0;
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            cl.getErr().println("copyservices-local: " + e.getMessage());
            return 1;
        });
        System.exit(commandLine.execute(args));
    }
}

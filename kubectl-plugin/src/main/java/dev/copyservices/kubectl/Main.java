package dev.copyservices.kubectl;

import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.common.ResourceStatus;
import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.volumecopy.VolumeCopy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kubectl copyservices}: kubectl runs this as kubectl-copyservices from PATH with the words
 * after "copyservices". It reads the copyservices.dev resources through the current kubeconfig.
 */
@Command(name = "kubectl copyservices", mixinStandardHelpOptions = true, subcommands = Main.Status.class,
        description = "The copy services of this cluster, from its copyservices.dev resources.")
public final class Main implements Callable<Integer> {
    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            cl.getErr().println("error: " + e.getMessage());
            return 1;
        });
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command: choose status");
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = {"Per site: the arrays and how many"
            + " are Ready, the copies in progress (VolumeCopies, Copy-mode FlashCopies), the mirrors by state, the"
            + " worst lag of an asynchronous primary; then what needs attention."})
    static final class Status implements Callable<Integer> {
        @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", description = "Copies and mirrors of this"
                + " namespace only (default: the kubeconfig's namespace).")
        String namespace;

        @Option(names = {"-A", "--all-namespaces"}, description = "Copies and mirrors of every namespace.")
        boolean allNamespaces;

        @Override
        public Integer call() {
            if (allNamespaces && namespace != null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "give -n NAMESPACE or -A, not both");
            }
            try (KubernetesClient kube = new KubernetesClientBuilder().build()) {
                String ns = namespace != null ? namespace : kube.getNamespace() == null ? "default" : kube.getNamespace();
                List<SiteSummary.ArrayFact> arrays = kube.resources(StorageArray.class).list().getItems().stream()
                        .map(a -> new SiteSummary.ArrayFact(a.getMetadata().getName(),
                                a.getSpec() == null ? null : a.getSpec().getSite(), ready(a.getStatus()),
                                a.getStatus() == null ? List.of() : a.getStatus().getNeedsAttention()))
                        .toList();
                List<SiteSummary.MirrorFact> mirrors = items(kube.resources(RemoteMirror.class), ns).stream()
                        .map(m -> m.getStatus() == null
                                ? new SiteSummary.MirrorFact(name(m), null, null, null, null)
                                : new SiteSummary.MirrorFact(name(m), m.getStatus().getArray(), m.getStatus().getRole(),
                                        m.getStatus().getState(), m.getStatus().getLagSeconds()))
                        .toList();
                List<SiteSummary.CopyFact> copies = new java.util.ArrayList<>();
                items(kube.resources(VolumeCopy.class), ns).forEach(c -> copies.add(new SiteSummary.CopyFact(name(c),
                        c.getStatus() == null ? null : c.getStatus().getArray(),
                        c.getStatus() == null ? "Pending" : c.getStatus().getState())));
                items(kube.resources(FlashCopy.class), ns).forEach(f -> copies.add(new SiteSummary.CopyFact(name(f),
                        f.getStatus() == null ? null : f.getStatus().getArray(),
                        f.getStatus() == null ? null : f.getStatus().getState())));
                System.out.print(SiteSummary.render(SiteSummary.of(arrays, mirrors, copies)));
                return 0;
            } catch (KubernetesClientException e) {
                throw new IllegalStateException("cannot read the copyservices.dev resources (" + e.getMessage()
                        + "); check that kubectl reaches the cluster and that the copyservices CRDs are installed", e);
            }
        }

        private <T extends io.fabric8.kubernetes.client.CustomResource<?, ?>> List<T> items(
                MixedOperation<T, ? extends io.fabric8.kubernetes.api.model.KubernetesResourceList<T>, ?> resources,
                String ns) {
            return allNamespaces ? resources.inAnyNamespace().list().getItems()
                    : resources.inNamespace(ns).list().getItems();
        }

        private static String name(io.fabric8.kubernetes.api.model.HasMetadata r) {
            return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
        }

        private static boolean ready(ResourceStatus status) {
            return status != null && status.getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        }
    }
}

package dev.copyservices.operator.it;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.kubetest.TestPki;
import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import dev.copyservices.kubetest.TestDirectories;
import java.nio.file.Path;
import java.util.List;

/**
 * One site for an integration test: a real kube-apiserver with the CRDs installed, one agent process
 * (array "SITE-node-1" of site SITE, "site-a" unless said otherwise) and the operator process, all
 * under target/NAME.
 */
final class OperatorSite implements AutoCloseable {
    final String site;
    final LocalKubeApiServer kube;
    final AgentProcess agent;
    final OperatorProcess operator;

    private OperatorSite(String site, LocalKubeApiServer kube, AgentProcess agent, OperatorProcess operator) {
        this.site = site;
        this.kube = kube;
        this.agent = agent;
        this.operator = operator;
    }

    static OperatorSite start(String name) throws Exception {
        return start(name, "site-a", List.of(), null);
    }

    /**
     * A site whose agent gets {@code agentArgs} too (e.g. a replication listener and its --tls-*
     * identity from {@code pki}); the operator and the test then reach it with mutual TLS too.
     */
    static OperatorSite start(String name, String site, List<String> agentArgs, TestPki pki) throws Exception {
        Path dir = TestDirectories.fresh(Path.of("target", name));
        LocalKubeApiServer kube = LocalKubeApiServer.start(dir.resolve("kube"));
        AgentProcess agent = null;
        try {
            kube.kubectl(null, "apply", "-f", System.getProperty("crds.committed", "../crds")).orFail();
            kube.kubectl(null, "wait", "--for", "condition=Established", "--timeout", "60s", "crd", "--all").orFail();
            if (pki == null) {
                agent = AgentProcess.start(dir.resolve("pool"), site + "-node-1", site, agentArgs);
                return new OperatorSite(site, kube, agent, OperatorProcess.start(kube.kubeconfig(),
                        dir.resolve("operator.log")));
            }
            agent = AgentProcess.start(dir.resolve("pool"), site + "-node-1", site, agentArgs,
                    pki.identity("cli-admin", "it"), pki.caCert());
            TestPki.Identity operator = pki.identity("operator", site);
            return new OperatorSite(site, kube, agent, OperatorProcess.start(kube.kubeconfig(),
                    dir.resolve("operator.log"), java.util.Map.of("COPYSERVICES_AGENT_TLS_CERT",
                            operator.cert().toString(), "COPYSERVICES_AGENT_TLS_KEY", operator.key().toString(),
                            "COPYSERVICES_AGENT_TLS_CA", pki.caCert().toString())));
        } catch (Exception | AssertionError e) {
            if (agent != null) {
                agent.close();
            }
            kube.close();
            throw e;
        }
    }

    /** The StorageArray node-1 for this site's agent. */
    void applyStorageArray() {
        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: StorageArray
                metadata: {name: node-1}
                spec: {endpoint: "%s", site: %s}
                """.formatted(agent.controlAddress(), site), "apply", "-f", "-").orFail();
    }

    /** kubectl wait for RESOURCE (kind/name); fails with the resource's YAML. */
    void await(String resource, String condition) {
        Kubectl.Result result = kube.kubectl(null, "wait", resource, "--for", condition, "--timeout", "60s");
        if (!result.ok()) {
            throw new AssertionError(resource + " did not reach " + condition + ": " + result.stderr()
                    + "\n" + kube.kubectl(null, "get", resource, "-o", "yaml").stdout());
        }
    }

    String get(String resource, String jsonPath) {
        return kube.kubectl(null, "get", resource, "-o", "jsonpath=" + jsonPath).orFail().stdout();
    }

    /** The notes of the Events with {@code reason} (events.k8s.io), waiting up to a minute for the first. */
    String awaitEvent(String reason) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        while (true) {
            String notes = kube.kubectl(null, "get", "events.events.k8s.io", "-A", "--field-selector", "reason=" + reason,
                    "-o", "jsonpath={.items[*].note}").orFail().stdout();
            if (!notes.isBlank()) {
                return notes;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(site + ": no Event " + reason + " within a minute");
            }
            Thread.sleep(200); // poll interval only; the loop ends on the Event
        }
    }

    @Override
    public void close() throws Exception {
        operator.close();
        agent.close();
        kube.close();
    }
}

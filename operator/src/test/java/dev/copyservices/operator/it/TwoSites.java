package dev.copyservices.operator.it;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.kubetest.TestPki;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.TestDirectories;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sites site-a and site-b for mirror tests: each its own API server, operator and agent
 * (StorageArray node-1 at both), the agents' replication linked by mutual TLS from a test CA and
 * mirroring activated on both, as an administrator does with csctl mirror activate.
 */
final class TwoSites implements AutoCloseable {
    final OperatorSite a;
    final OperatorSite b;

    private TwoSites(OperatorSite a, OperatorSite b) {
        this.a = a;
        this.b = b;
    }

    static TwoSites start(String name) throws Exception {
        Path dir = TestDirectories.fresh(Path.of("target", name));
        TestPki pki = TestPki.create(dir.resolve("pki"), "site-a", "site-b");
        OperatorSite a = OperatorSite.start(name + "/site-a", "site-a", replication(pki, "site-a", "site-b"), pki);
        try {
            TwoSites sites = new TwoSites(a, OperatorSite.start(name + "/site-b", "site-b",
                    replication(pki, "site-b", "site-a"), pki));
            for (OperatorSite site : List.of(sites.a, sites.b)) {
                site.applyStorageArray();
                MirrorServiceGrpc.newBlockingStub(site.agent.channel()).activateMirroring(ActivateMirroringRequest.getDefaultInstance());
            }
            return sites;
        } catch (Exception | AssertionError e) {
            a.close();
            throw e;
        }
    }

    /** The agent of {@code site} replicating with {@code peer} only, as the Helm chart sets it up. */
    private static List<String> replication(TestPki pki, String site, String peer) throws Exception {
        List<String> args = new ArrayList<>(List.of("--replication-listen", "127.0.0.1:" + AgentProcess.freePort(),
                "--peer-site", peer));
        args.addAll(pki.agentArgs(pki.agent(site)));
        return args;
    }

    /** Creates {@code name} of {@code mib} MiB on both agents. */
    void createVolumes(String name, int mib) {
        for (OperatorSite site : List.of(a, b)) {
            VolumeServiceGrpc.newBlockingStub(site.agent.channel()).createVolume(CreateVolumeRequest.newBuilder()
                    .setName(name).setSizeBytes((long) mib << 20).build());
        }
    }

    /** Where the other site's agents reach this site's agent for replication. */
    static String replicationEndpoint(OperatorSite site) {
        return MirrorServiceGrpc.newBlockingStub(site.agent.channel()).getMirroring(GetMirroringRequest.getDefaultInstance())
                .getReplicationEndpoint();
    }

    /** kubectl wait --for=create, failing with the site's events. */
    static void awaitCreated(OperatorSite site, String resource) {
        Kubectl.Result result = site.kube.kubectl(null, "wait", "--for=create", resource, "--timeout", "60s");
        if (!result.ok()) {
            throw new AssertionError(site.site + ": " + resource + " was not created: " + result.stderr() + "\n"
                    + site.kube.kubectl(null, "get", "events", "-A").stdout());
        }
    }

    static void patch(OperatorSite site, String resource, String mergePatch) {
        site.kube.kubectl(null, "patch", resource, "--type", "merge", "-p", mergePatch).orFail();
    }

    @Override
    public void close() throws Exception {
        try {
            b.close();
        } finally {
            a.close();
        }
    }
}

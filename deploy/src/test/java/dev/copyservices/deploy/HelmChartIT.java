package dev.copyservices.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import dev.copyservices.kubetest.TestDirectories;
import io.fabric8.certmanager.api.model.v1.Certificate;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart helm/copyservices, rendered by the real helm (bin/install-helm) and sent to a real
 * kube-apiserver (bin/install-test-kube) as a server-side dry run. Nothing runs the rendered pods:
 * there is no kubelet, and CI builds no images.
 */
class HelmChartIT {
    private static final String RELEASE = "copyservices";
    private static final String NAMESPACE = "copyservices";
    private static final Set<String> OPTIONAL_APIS = Set.of("snapshot.storage.k8s.io/v1", "cert-manager.io/v1",
            "groupsnapshot.storage.k8s.io/v1beta1");

    private static Path chart;
    private static Helm helm;
    private static LocalKubeApiServer kube;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        chart = Path.of(System.getProperty("chart.dir", "../helm/copyservices")).toAbsolutePath().normalize();
        Path work = TestDirectories.fresh(Path.of("target", "helm-it"));
        helm = Helm.fromSystemProperty(work.resolve("helm-home"));
        // the CSI node plugin is privileged, which an API server refuses unless it allows it
        kube = LocalKubeApiServer.start(work.resolve("kube"), List.of("--allow-privileged=true"));
        // the chart's own CRDs, as helm install puts them in before the templates
        kube.kubectl(null, "apply", "--server-side", "-f", chart.resolve("crds").toString()).orFail();
        kube.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s", "crd", "--all").orFail();
    }

    @AfterAll
    static void stop() {
        if (kube != null) {
            kube.close();
        }
    }

    @Test
    void lintPassesForASiteAndForAPairMember() {
        helm.run("lint", "--strict", chart.toString(), "--set", "site=site-a").orFail();
        helm.run(concat(List.of("lint", "--strict", chart.toString()), siteA())).orFail();
    }

    @Test
    void aSingleSiteRendersEveryComponentAndTheApiServerAcceptsIt() {
        Manifests manifests = render(NAMESPACE, List.of("--set", "site=site-a",
                "--set-json", "arrayAgent.nodeSelector={\"copyservices.dev/storage-node\":\"true\"}"));
        assertWellFormed(manifests);
        assertEquals(new TreeSet<>(List.of(
                "CSIDriver/block.copyservices.dev",
                "ClusterRole/copyservices:copyservices:csi-controller",
                "ClusterRole/copyservices:copyservices:csi-node",
                "ClusterRole/copyservices:copyservices:operator",
                "ClusterRoleBinding/copyservices:copyservices:csi-controller",
                "ClusterRoleBinding/copyservices:copyservices:csi-node",
                "ClusterRoleBinding/copyservices:copyservices:operator",
                "ConfigMap/copyservices-site",
                "DaemonSet/copyservices-array-agent",
                "DaemonSet/copyservices-csi-node",
                "Deployment/copyservices-csi-controller",
                "Deployment/copyservices-operator",
                "Role/copyservices-csi-controller",
                "RoleBinding/copyservices-csi-controller",
                "ServiceAccount/copyservices-array-agent",
                "ServiceAccount/copyservices-csi-controller",
                "ServiceAccount/copyservices-csi-node",
                "ServiceAccount/copyservices-operator",
                "StorageClass/copyservices")), manifests.kindsAndNames(),
                "without TLS material there is no replication Service; without the snapshot API no VolumeSnapshotClass");

        PodSpec agent = manifests.one(DaemonSet.class, "copyservices-array-agent").getSpec().getTemplate().getSpec();
        Map<String, String> agentLabels = manifests.one(DaemonSet.class, "copyservices-array-agent")
                .getSpec().getTemplate().getMetadata().getLabels();
        Container agentContainer = container(agent, "array-agent");
        assertAll("array agent",
                () -> assertEquals("array-agent", agentLabels.get("app.kubernetes.io/component"), "the operator's selector"),
                () -> assertEquals("site-a", agentLabels.get("copyservices.dev/site")),
                () -> assertEquals(Map.of("copyservices.dev/storage-node", "true"), agent.getNodeSelector()),
                () -> assertEquals(7400, port(agentContainer, "control")),
                () -> assertEquals(10809, port(agentContainer, "nbd")),
                () -> assertTrue(agentContainer.getArgs().containsAll(List.of("--pool-dir=/pool", "--site=site-a",
                        "--listen=$(POD_IP):7400", "--nbd-listen=$(POD_IP):10809", "--name=$(NODE_NAME)")),
                        agentContainer.getArgs().toString()),
                () -> assertFalse(agentContainer.getArgs().stream().anyMatch(a -> a.startsWith("--replication")),
                        "no replication listener without TLS material: " + agentContainer.getArgs()),
                () -> assertEquals("/var/lib/copyservices/pool", volume(agent, "pool").getHostPath().getPath()),
                () -> assertTrue(agentContainer.getSecurityContext().getRunAsNonRoot()),
                () -> assertFalse(agent.getAutomountServiceAccountToken()));

        Deployment controller = manifests.one(Deployment.class, "copyservices-csi-controller");
        PodSpec controllerPod = controller.getSpec().getTemplate().getSpec();
        assertEquals(List.of("csi-driver", "csi-provisioner", "csi-snapshotter", "csi-resizer"),
                controllerPod.getContainers().stream().map(Container::getName).toList());
        assertTrue(container(controllerPod, "csi-driver").getArgs().containsAll(
                List.of("--storage-arrays", "--mode=controller", "--endpoint=unix:///csi/csi.sock")));
        for (String sidecar : List.of("csi-provisioner", "csi-snapshotter", "csi-resizer")) {
            assertTrue(container(controllerPod, sidecar).getImage().startsWith("registry.k8s.io/sig-storage/" + sidecar + ":v"),
                    container(controllerPod, sidecar).getImage());
        }

        PodSpec node = manifests.one(DaemonSet.class, "copyservices-csi-node").getSpec().getTemplate().getSpec();
        Container nodeDriver = container(node, "csi-driver");
        assertAll("CSI node",
                () -> assertTrue(nodeDriver.getSecurityContext().getPrivileged()),
                () -> assertTrue(nodeDriver.getArgs().containsAll(List.of("--storage-arrays", "--mode=node",
                        "--node-id=$(NODE_NAME)", "--state-dir=/var/lib/copyservices-csi"))),
                () -> assertEquals("Bidirectional", mount(nodeDriver, "/var/lib/kubelet").getMountPropagation()),
                () -> assertEquals("/dev", volume(node, mount(nodeDriver, "/dev").getName()).getHostPath().getPath()),
                () -> assertTrue(container(node, "node-driver-registrar").getArgs().contains(
                        "--kubelet-registration-path=/var/lib/kubelet/plugins/block.copyservices.dev/csi.sock")));

        StorageClass storageClass = manifests.one(StorageClass.class, "copyservices");
        assertEquals("block.copyservices.dev", storageClass.getProvisioner());
        assertEquals("WaitForFirstConsumer", storageClass.getVolumeBindingMode());
        assertTrue(storageClass.getAllowVolumeExpansion());
        assertFalse(manifests.one(CSIDriver.class, "block.copyservices.dev").getSpec().getAttachRequired());

        dryRun(NAMESPACE, manifests);
    }

    @Test
    void twoSitesOfAPairPointAtEachOther() {
        Manifests a = render("site-a", siteA());
        Manifests b = render("site-b", siteB());
        for (Manifests site : List.of(a, b)) {
            assertWellFormed(site);
        }
        assertSite(a, "site-a", "site-a.example.net:7500", "LoadBalancer");
        assertSite(b, "site-b", "203.0.113.20:30750", "NodePort");
        assertEquals(30750, b.one(Service.class, "copyservices-replication").getSpec().getPorts().get(0).getNodePort());

        Map<String, String> siteOfA = a.one(ConfigMap.class, "copyservices-site").getData();
        Map<String, String> siteOfB = b.one(ConfigMap.class, "copyservices-site").getData();
        assertEquals(siteOfB.get("replicationAdvertise"), siteOfA.get("peerReplicationEndpoint"));
        assertEquals(siteOfA.get("replicationAdvertise"), siteOfB.get("peerReplicationEndpoint"));
        assertEquals("site-b", siteOfA.get("peerSite"));
        assertEquals("site-a", siteOfB.get("peerSite"));
        assertEquals("copyservices-replication.site-a.svc:7500", siteOfA.get("replicationService"));

        dryRun("site-a", a);
        dryRun("site-b", b);
    }

    @Test
    void optionalApisGetTheirObjectsOnlyWhenTheClusterServesThem() throws IOException {
        List<String> values = List.of("--set", "site=site-a", "--set", "tls.certManager.enabled=true",
                "--set", "tls.certManager.issuerRef.name=copyservices-ca", "--set", "csi.groupSnapshots=true",
                "--set", "arrayAgent.replicationAdvertise=198.51.100.10:7500",
                "--set", "peer.replicationEndpoint=198.51.100.20:7500");
        List<String> withApis = new ArrayList<>(values);
        OPTIONAL_APIS.forEach(api -> withApis.addAll(List.of("--api-versions", api)));
        Manifests manifests = render("optional", withApis);
        assertWellFormed(manifests);

        Certificate certificate = manifests.one(Certificate.class, "copyservices-replication");
        assertEquals("copyservices-replication-tls", certificate.getSpec().getSecretName());
        assertEquals("copyservices-ca", certificate.getSpec().getIssuerRef().getName());
        assertEquals("PKCS8", certificate.getSpec().getPrivateKey().getEncoding(), "the agent reads PKCS#8 keys");
        assertTrue(certificate.getSpec().getUsages().containsAll(List.of("server auth", "client auth")),
                "mutual TLS: " + certificate.getSpec().getUsages());
        assertEquals(List.of("198.51.100.10"), certificate.getSpec().getIpAddresses());
        assertTrue(certificate.getSpec().getDnsNames().contains("copyservices-replication.optional.svc"));
        Volume tls = volume(manifests.one(DaemonSet.class, "copyservices-array-agent").getSpec().getTemplate().getSpec(), "tls");
        assertEquals("copyservices-replication-tls", tls.getSecret().getSecretName());

        GenericKubernetesResource snapshotClass = single(manifests.generic("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass"));
        assertEquals("block.copyservices.dev", snapshotClass.get("driver"));
        assertEquals("Delete", snapshotClass.get("deletionPolicy"));
        GenericKubernetesResource groupClass = single(manifests.generic("groupsnapshot.storage.k8s.io/v1beta1",
                "VolumeGroupSnapshotClass"));
        assertEquals("block.copyservices.dev", groupClass.get("driver"));
        Container snapshotter = container(manifests.one(Deployment.class, "copyservices-csi-controller")
                .getSpec().getTemplate().getSpec(), "csi-snapshotter");
        assertTrue(snapshotter.getArgs().contains("--feature-gates=CSIVolumeGroupSnapshot=true"), snapshotter.getArgs().toString());

        // stand-ins for the snapshot and cert-manager CRDs, with only the fields the chart sets
        Path standIns = Path.of("src/test/resources/standin-crds").toAbsolutePath();
        kube.kubectl(null, "apply", "-f", standIns.toString()).orFail();
        kube.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s",
                "crd/volumesnapshotclasses.snapshot.storage.k8s.io", "crd/certificates.cert-manager.io",
                "crd/volumegroupsnapshotclasses.groupsnapshot.storage.k8s.io").orFail();
        dryRun("optional", manifests);

        // the same values on a cluster without cert-manager are refused, naming what to do
        Helm.Result refused = helm.run(concat(List.of("template", RELEASE, chart.toString(), "--namespace", "optional"),
                values));
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.stderr().contains("tls.certManager.enabled"), refused.stderr());
        // and without the snapshot APIs there are no snapshot classes
        Manifests plain = render("optional", List.of("--set", "site=site-a", "--set", "csi.groupSnapshots=true"));
        assertTrue(plain.generic("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass").isEmpty(), plain.describe());
        assertTrue(plain.generic("groupsnapshot.storage.k8s.io/v1beta1", "VolumeGroupSnapshotClass").isEmpty(), plain.describe());
    }

    @Test
    void theChartsCrdsAreTheCommittedOnesByteForByte() throws IOException {
        Path committed = Path.of(System.getProperty("crds.committed", "../crds"));
        Map<String, byte[]> expected = yamlFiles(committed);
        Map<String, byte[]> inChart = yamlFiles(chart.resolve("crds"));
        assertEquals(expected.keySet(), inChart.keySet(), "run bin/update-crds, which copies crds/*.yaml into the chart");
        assertEquals(6, expected.size(), "the six kinds");
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), inChart.get(name), name + " differs from crds/" + name + ": run bin/update-crds");
        }
    }

    @Test
    void theNotesSayWhatToDoNext() {
        String pair = helm.run(concat(List.of("install", RELEASE, chart.toString(), "--namespace", NAMESPACE,
                "--dry-run=client"), siteA())).orFail();
        String notes = pair.substring(pair.indexOf("NOTES:"));
        assertTrue(notes.contains("kubectl get storagearrays"), notes);
        assertTrue(notes.contains("storageClassName: copyservices"), notes);
        assertTrue(notes.contains("endpoint: 203.0.113.20:30750"), "the RemoteMirror example names the peer: " + notes);
        assertTrue(notes.contains("mirror activate"), notes);

        String alone = helm.run("install", RELEASE, chart.toString(), "--namespace", NAMESPACE, "--dry-run=client",
                "--set", "site=site-a").orFail();
        String aloneNotes = alone.substring(alone.indexOf("NOTES:"));
        assertTrue(aloneNotes.contains("not set up. Give the replication link's TLS material"), aloneNotes);
        assertFalse(aloneNotes.contains("kind: RemoteMirror"), aloneNotes);
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                Arguments.of(List.of("--set", "site=Site_A"), "/site"),
                Arguments.of(List.of(), "/site"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "peer.replicationEndpoint=nohost"),
                        "/peer/replicationEndpoint"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "sites=site-b"), "'sites' not allowed"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "replicationService.type=ExternalName"),
                        "/replicationService/type"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "peer.replicationEndpoint=site-b.example.net:7500"),
                        "peer.replicationEndpoint: mirroring needs the replication link's TLS material"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "peer.site=site-a"), "peer.site"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "tls.existingSecret=replication-tls",
                        "--set", "arrayAgent.replicationHostPort=true",
                        "--set", "arrayAgent.replicationAdvertise=site-a.example.net:7500"), "arrayAgent.replicationHostPort"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "arrayAgent.replicationHostPort=yes"),
                        "/arrayAgent/replicationHostPort"));
    }

    @ParameterizedTest
    @MethodSource("wrongValues")
    void wrongValuesAreRefusedNamingTheField(List<String> values, String message) {
        Helm.Result result = helm.run(concat(List.of("template", RELEASE, chart.toString(), "--namespace", NAMESPACE), values));
        assertNotEquals(0, result.exitCode(), result.stdout());
        assertEquals("", result.stdout(), "nothing rendered");
        assertTrue(result.stderr().contains(message), "helm's message should contain " + message + ":\n" + result.stderr());
    }

    @Test
    void eachServiceAccountGetsExactlyItsVerbs() {
        SortedMap<String, Set<String>> operator = new TreeMap<>();
        for (String kind : List.of("flashcopies", "flashcopygroups", "volumecopies", "mirrorgroups")) {
            operator.put("copyservices.dev/" + kind, verbs("get list watch patch update"));
        }
        operator.put("copyservices.dev/storagearrays", verbs("get list watch patch update create"));
        operator.put("copyservices.dev/remotemirrors", verbs("get list watch patch update create delete"));
        for (String kind : List.of("storagearrays", "flashcopies", "flashcopygroups", "volumecopies", "remotemirrors",
                "mirrorgroups")) {
            operator.put("copyservices.dev/" + kind + "/status", verbs("patch"));
        }
        operator.put("core/pods", verbs("get list watch"));
        operator.put("core/persistentvolumeclaims", verbs("get list watch create delete"));
        operator.put("core/persistentvolumes", verbs("get list watch create delete"));
        operator.put("core/namespaces", verbs("get"));
        operator.put("events.k8s.io/events", verbs("create"));

        SortedMap<String, Set<String>> controller = new TreeMap<>();
        controller.put("copyservices.dev/storagearrays", verbs("get list watch"));
        controller.put("core/events", verbs("list watch create update patch"));
        controller.put("core/persistentvolumes", verbs("get list watch create patch delete"));
        controller.put("core/persistentvolumeclaims", verbs("get list watch update"));
        controller.put("core/persistentvolumeclaims/status", verbs("patch"));
        controller.put("core/pods", verbs("get list watch"));
        controller.put("core/nodes", verbs("get list watch"));
        controller.put("storage.k8s.io/storageclasses", verbs("get list watch"));
        controller.put("storage.k8s.io/csinodes", verbs("get list watch"));
        controller.put("snapshot.storage.k8s.io/volumesnapshots", verbs("get list"));
        controller.put("snapshot.storage.k8s.io/volumesnapshotclasses", verbs("get list watch"));
        controller.put("snapshot.storage.k8s.io/volumesnapshotcontents", verbs("get list watch update patch"));
        controller.put("snapshot.storage.k8s.io/volumesnapshotcontents/status", verbs("update patch"));
        controller.put(NAMESPACE + ":coordination.k8s.io/leases", verbs("get list watch create update delete"));

        SortedMap<String, Set<String>> node = new TreeMap<>();
        node.put("copyservices.dev/storagearrays", verbs("get list watch"));

        Map<String, SortedMap<String, Set<String>>> expected = new TreeMap<>();
        expected.put(NAMESPACE + "/copyservices-operator", operator);
        expected.put(NAMESPACE + "/copyservices-csi-controller", controller);
        expected.put(NAMESPACE + "/copyservices-csi-node", node);
        expected.put(NAMESPACE + "/copyservices-array-agent", new TreeMap<>());

        Manifests manifests = render(NAMESPACE, siteA());
        assertEquals(expected, Grants.byServiceAccount(manifests));
        assertFalse(manifests.one(ServiceAccount.class, "copyservices-array-agent").getAutomountServiceAccountToken(),
                "the agent has no API access and no token");

        // group snapshots add the snapshotter's group snapshot rights, and nothing else
        SortedMap<String, Set<String>> withGroups = new TreeMap<>(controller);
        withGroups.put("groupsnapshot.storage.k8s.io/volumegroupsnapshotclasses", verbs("get list watch"));
        withGroups.put("groupsnapshot.storage.k8s.io/volumegroupsnapshotcontents", verbs("get list watch update patch"));
        withGroups.put("groupsnapshot.storage.k8s.io/volumegroupsnapshotcontents/status", verbs("update patch"));
        Manifests groups = render(NAMESPACE, List.of("--set", "site=site-a", "--set", "csi.groupSnapshots=true"));
        assertEquals(withGroups, Grants.byServiceAccount(groups).get(NAMESPACE + "/copyservices-csi-controller"));
    }

    @Test
    void withSeveralAgentsPerSiteEachAgentIsReachedAtItsNodesAddress() {
        Manifests manifests = render(NAMESPACE, List.of("--set", "site=site-a", "--set", "tls.existingSecret=replication-tls",
                "--set", "arrayAgent.replicationHostPort=true"));
        DaemonSet agents = manifests.one(DaemonSet.class, "copyservices-array-agent");
        Container agent = container(agents.getSpec().getTemplate().getSpec(), "array-agent");
        assertTrue(agent.getArgs().contains("--replication-advertise=$(HOST_IP):7500"), agent.getArgs().toString());
        assertEquals("status.hostIP", agent.getEnv().stream().filter(e -> e.getName().equals("HOST_IP")).findFirst()
                .orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals(7500, agent.getPorts().stream().filter(p -> "replication".equals(p.getName())).findFirst()
                .orElseThrow().getHostPort());
        dryRun(NAMESPACE, manifests);
    }

    private static List<String> siteA() {
        return List.of("--set", "site=site-a", "--set", "peer.site=site-b",
                "--set", "peer.replicationEndpoint=203.0.113.20:30750",
                "--set", "tls.existingSecret=replication-tls",
                "--set", "arrayAgent.replicationAdvertise=site-a.example.net:7500",
                "--set", "replicationService.type=LoadBalancer");
    }

    private static List<String> siteB() {
        return List.of("--set", "site=site-b", "--set", "peer.site=site-a",
                "--set", "peer.replicationEndpoint=site-a.example.net:7500",
                "--set", "tls.existingSecret=replication-tls",
                "--set", "arrayAgent.replicationAdvertise=203.0.113.20:30750",
                "--set", "replicationService.type=NodePort", "--set", "replicationService.nodePort=30750");
    }

    private static void assertSite(Manifests manifests, String site, String advertise, String serviceType) {
        DaemonSet agents = manifests.one(DaemonSet.class, "copyservices-array-agent");
        Container agent = container(agents.getSpec().getTemplate().getSpec(), "array-agent");
        assertTrue(agent.getArgs().containsAll(List.of("--site=" + site, "--replication-listen=$(POD_IP):7500",
                "--replication-advertise=" + advertise, "--tls-cert=/etc/copyservices/tls/tls.crt",
                "--tls-key=/etc/copyservices/tls/tls.key", "--tls-ca=/etc/copyservices/tls/ca.crt")), agent.getArgs().toString());
        assertEquals(7500, port(agent, "replication"));
        assertEquals("replication-tls", volume(agents.getSpec().getTemplate().getSpec(), "tls").getSecret().getSecretName());
        assertTrue(mount(agent, "/etc/copyservices/tls").getReadOnly());
        Service service = manifests.one(Service.class, "copyservices-replication");
        assertEquals(serviceType, service.getSpec().getType());
        assertEquals(agents.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector(),
                "the Service reaches the agents");
        assertEquals("replication", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    }

    /** helm template of the chart as release "copyservices" in the namespace, read into objects. */
    private static Manifests render(String namespace, List<String> values) {
        String yaml = helm.run(concat(List.of("template", RELEASE, chart.toString(), "--namespace", namespace), values)).orFail();
        return Manifests.parse(yaml);
    }

    /** Every object is of a model class for its kind, and no field is one its model does not know. */
    private static void assertWellFormed(Manifests manifests) {
        assertFalse(manifests.all().isEmpty());
        for (HasMetadata object : manifests.all()) {
            if (object instanceof GenericKubernetesResource generic) {
                // no Fabric8 model on the classpath for these two; the stand-in CRDs check their fields
                assertTrue(Set.of("VolumeSnapshotClass", "VolumeGroupSnapshotClass").contains(generic.getKind()),
                        "no model class for " + generic.getApiVersion() + " " + generic.getKind());
                continue;
            }
            assertEquals(object.getKind(), object.getClass().getSimpleName(), "model class of " + object.getKind());
            assertEquals(List.of(), Manifests.unknownFields(object),
                    object.getKind() + "/" + object.getMetadata().getName() + " has fields its kind does not have");
        }
    }

    /** kubectl apply --dry-run=server into the namespace (created first): the API server validates everything. */
    private static void dryRun(String namespace, Manifests manifests) {
        kube.kubectl("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + namespace + "\n", "apply", "-f", "-").orFail();
        Kubectl.Result result = kube.kubectl(manifests.yaml(), "apply", "--dry-run=server", "--validate=strict", "-f", "-");
        result.orFail();
        long accepted = result.stdout().lines().filter(line -> line.endsWith("(server dry run)")).count();
        assertEquals(manifests.all().size(), accepted, result.stdout());
    }

    private static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    private static int port(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + name));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static VolumeMount mount(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " mounts nothing at " + path));
    }

    private static <T> T single(List<T> items) {
        assertEquals(1, items.size(), items.toString());
        return items.get(0);
    }

    private static Set<String> verbs(String verbs) {
        return new TreeSet<>(Arrays.asList(verbs.split(" ")));
    }

    private static Map<String, byte[]> yamlFiles(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.filter(p -> p.getFileName().toString().endsWith(".yaml")).toList()) {
                files.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}

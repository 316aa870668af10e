package dev.copyservices.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
            "groupsnapshot.storage.k8s.io/v1beta1", "monitoring.coreos.com/v1");
    private static final String TLS_DIR = "/etc/copyservices/tls";
    private static final List<String> TLS_ARGS = List.of("--tls-cert=" + TLS_DIR + "/tls.crt",
            "--tls-key=" + TLS_DIR + "/tls.key", "--tls-ca=" + TLS_DIR + "/ca.crt");

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
        helm.run(concat(List.of("lint", "--strict", chart.toString()), lone())).orFail();
        helm.run(concat(List.of("lint", "--strict", chart.toString()), siteA())).orFail();
        helm.run("lint", "--strict", chart.toString(), "--set", "site=site-a", "--set", "insecureDev=true").orFail();
    }

    @Test
    void aSingleSiteRendersEveryComponentAndTheApiServerAcceptsIt() {
        Manifests manifests = render(NAMESPACE, concat(lone(),
                List.of("--set-json", "arrayAgent.nodeSelector={\"copyservices.dev/storage-node\":\"true\"}")));
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
                "without a peer there is no replication Service; without the snapshot API no VolumeSnapshotClass");

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
                () -> assertEquals(9400, port(agentContainer, "metrics")),
                () -> assertTrue(agentContainer.getArgs().contains("--metrics-listen=$(POD_IP):9400"),
                        agentContainer.getArgs().toString()),
                () -> assertTrue(agentContainer.getArgs().containsAll(List.of("--pool-dir=/pool", "--site=site-a",
                        "--listen=$(POD_IP):7400", "--nbd-listen=$(POD_IP):10809", "--name=$(NODE_NAME)")),
                        agentContainer.getArgs().toString()),
                () -> assertTrue(agentContainer.getArgs().containsAll(TLS_ARGS),
                        "the control port is mutual TLS also without a peer: " + agentContainer.getArgs()),
                () -> assertFalse(agentContainer.getArgs().stream().anyMatch(a -> a.startsWith("--replication")
                        || a.startsWith("--peer-site") || a.equals("--insecure-dev")),
                        "no replication listener without a peer: " + agentContainer.getArgs()),
                () -> assertIdentity(agent, agentContainer, "agent-tls"),
                () -> assertEquals(7400, agentContainer.getReadinessProbe().getTcpSocket().getPort().getIntVal(),
                        "the kubelet's gRPC probe cannot present a client certificate"),
                () -> assertEquals(7400, agentContainer.getLivenessProbe().getTcpSocket().getPort().getIntVal()),
                () -> assertEquals("/var/lib/copyservices/pool", volume(agent, "pool").getHostPath().getPath()),
                () -> assertTrue(agentContainer.getSecurityContext().getRunAsNonRoot()),
                () -> assertFalse(agent.getAutomountServiceAccountToken()));

        Deployment controller = manifests.one(Deployment.class, "copyservices-csi-controller");
        PodSpec controllerPod = controller.getSpec().getTemplate().getSpec();
        assertEquals(List.of("csi-driver", "csi-provisioner", "csi-snapshotter", "csi-resizer"),
                controllerPod.getContainers().stream().map(Container::getName).toList());
        assertTrue(container(controllerPod, "csi-driver").getArgs().containsAll(
                List.of("--storage-arrays", "--mode=controller", "--endpoint=unix:///csi/csi.sock")));
        assertTrue(container(controllerPod, "csi-driver").getArgs().containsAll(TLS_ARGS),
                container(controllerPod, "csi-driver").getArgs().toString());
        assertIdentity(controllerPod, container(controllerPod, "csi-driver"), "csi-tls");
        for (String sidecar : List.of("csi-provisioner", "csi-snapshotter", "csi-resizer")) {
            assertTrue(container(controllerPod, sidecar).getImage().startsWith("registry.k8s.io/sig-storage/" + sidecar + ":v"),
                    container(controllerPod, sidecar).getImage());
            assertFalse(container(controllerPod, sidecar).getVolumeMounts().stream().anyMatch(m -> m.getName().equals("tls")),
                    sidecar + " needs no TLS files");
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
                        "--kubelet-registration-path=/var/lib/kubelet/plugins/block.copyservices.dev/csi.sock")),
                () -> assertTrue(nodeDriver.getArgs().containsAll(TLS_ARGS), nodeDriver.getArgs().toString()),
                () -> assertIdentity(node, nodeDriver, "csi-tls"),
                () -> assertFalse(container(node, "node-driver-registrar").getVolumeMounts().stream()
                        .anyMatch(m -> m.getName().equals("tls")), "the registrar needs no TLS files"));

        PodSpec operatorPod = manifests.one(Deployment.class, "copyservices-operator").getSpec().getTemplate().getSpec();
        Container operator = container(operatorPod, "operator");
        assertAll("operator",
                () -> assertEquals(Map.of("COPYSERVICES_AGENT_TLS_CERT", TLS_DIR + "/tls.crt",
                        "COPYSERVICES_AGENT_TLS_KEY", TLS_DIR + "/tls.key", "COPYSERVICES_AGENT_TLS_CA", TLS_DIR + "/ca.crt"),
                        agentEnv(operator)),
                () -> assertIdentity(operatorPod, operator, "operator-tls"),
                () -> assertEquals(10001L, operatorPod.getSecurityContext().getFsGroup(), "the image's user reads the 0440 files"));

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
        assertSite(a, "site-a", "site-b", "site-a.example.net:7500", "LoadBalancer");
        assertSite(b, "site-b", "site-a", "203.0.113.20:30750", "NodePort");
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
                "--set", "arrayAgent.replicationAdvertise=198.51.100.10:7500", "--set", "peer.site=site-b",
                "--set", "peer.replicationEndpoint=198.51.100.20:7500");
        List<String> withApis = new ArrayList<>(values);
        OPTIONAL_APIS.forEach(api -> withApis.addAll(List.of("--api-versions", api)));
        Manifests manifests = render("optional", withApis);
        assertWellFormed(manifests);

        // one identity per component: the role in O, the site in CN, a PKCS#8 key
        assertEquals(3, manifests.of(Certificate.class).size(), manifests.describe());
        for (String role : List.of("array-agent", "operator", "csi")) {
            Certificate certificate = manifests.one(Certificate.class, "copyservices-" + role);
            assertAll(role,
                    () -> assertEquals("copyservices-" + role + "-tls", certificate.getSpec().getSecretName()),
                    () -> assertEquals(List.of(role), certificate.getSpec().getSubject().getOrganizations(),
                            "the agents authorize by the subject's O"),
                    () -> assertEquals("site-a", certificate.getSpec().getCommonName()),
                    () -> assertEquals("copyservices-ca", certificate.getSpec().getIssuerRef().getName()),
                    () -> assertEquals("PKCS8", certificate.getSpec().getPrivateKey().getEncoding(), "the components read PKCS#8 keys"),
                    () -> assertEquals(role.equals("array-agent") ? List.of("server auth", "client auth", "digital signature")
                            : List.of("client auth", "digital signature"), certificate.getSpec().getUsages()));
        }
        Certificate agentCertificate = manifests.one(Certificate.class, "copyservices-array-agent");
        assertEquals(List.of("198.51.100.10"), agentCertificate.getSpec().getIpAddresses());
        assertTrue(agentCertificate.getSpec().getDnsNames().contains("copyservices-replication.optional.svc"));
        PodSpec agentPod = manifests.one(DaemonSet.class, "copyservices-array-agent").getSpec().getTemplate().getSpec();
        assertIdentity(agentPod, container(agentPod, "array-agent"), "copyservices-array-agent-tls");
        PodSpec operatorPod = manifests.one(Deployment.class, "copyservices-operator").getSpec().getTemplate().getSpec();
        assertIdentity(operatorPod, container(operatorPod, "operator"), "copyservices-operator-tls");
        PodSpec controllerPod = manifests.one(Deployment.class, "copyservices-csi-controller").getSpec().getTemplate().getSpec();
        assertIdentity(controllerPod, container(controllerPod, "csi-driver"), "copyservices-csi-tls");
        PodSpec nodePod = manifests.one(DaemonSet.class, "copyservices-csi-node").getSpec().getTemplate().getSpec();
        assertIdentity(nodePod, container(nodePod, "csi-driver"), "copyservices-csi-tls");

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
                "crd/volumegroupsnapshotclasses.groupsnapshot.storage.k8s.io",
                "crd/prometheusrules.monitoring.coreos.com").orFail();
        dryRun("optional", manifests);

        // the same values on a cluster without cert-manager are refused, naming what to do
        Helm.Result refused = helm.run(concat(List.of("template", RELEASE, chart.toString(), "--namespace", "optional"),
                values));
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.stderr().contains("tls.certManager.enabled"), refused.stderr());
        // and without the snapshot APIs there are no snapshot classes
        Manifests plain = render("optional", concat(lone(), List.of("--set", "csi.groupSnapshots=true")));
        assertTrue(plain.generic("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass").isEmpty(), plain.describe());
        assertTrue(plain.generic("groupsnapshot.storage.k8s.io/v1beta1", "VolumeGroupSnapshotClass").isEmpty(), plain.describe());
        assertTrue(plain.of(Certificate.class).isEmpty(), "existing Secrets, no Certificates: " + plain.describe());
        assertTrue(plain.generic("monitoring.coreos.com/v1", "PrometheusRule").isEmpty(), plain.describe());
    }

    @Test
    void whereThePrometheusOperatorIsServedEveryCopyServiceAlertIsRuledWithTheValuesGiven() {
        Manifests manifests = render("alerts", concat(lone(), List.of("--api-versions", "monitoring.coreos.com/v1",
                "--set", "metrics.prometheusRule.rpoObjectiveSeconds=30",
                "--set", "metrics.prometheusRule.labels.release=kube-prometheus")));
        GenericKubernetesResource rule = single(manifests.generic("monitoring.coreos.com/v1", "PrometheusRule"));
        assertEquals("kube-prometheus", rule.getMetadata().getLabels().get("release"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) rule
                .getAdditionalProperties().get("spec")).get("groups");
        Map<String, String> exprs = new TreeMap<>();
        for (Map<String, Object> group : groups) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
            for (Map<String, Object> r : rules) {
                exprs.put((String) r.get("alert"), (String) r.get("expr"));
                @SuppressWarnings("unchecked")
                Map<String, String> annotations = (Map<String, String>) r.get("annotations");
                assertTrue(annotations.get("description").length() > 40, r + ": an alert says what to do");
            }
        }
        assertEquals(Set.of("CopyServicesRepositoryThresholdExceeded", "CopyServicesRepositoryFull",
                "CopyServicesFlashCopyFailed", "CopyServicesVolumeCopyFailed", "CopyServicesMirrorUnsynchronized",
                "CopyServicesMirrorRecoveryPointObjectiveBreached", "CopyServicesMirrorDualRoleConflict",
                "CopyServicesCertificateNearExpiry"), exprs.keySet());
        assertEquals("copyservices_mirror_lag_seconds{role=\"primary\"} > 30",
                exprs.get("CopyServicesMirrorRecoveryPointObjectiveBreached"));
        Path standIns = Path.of("src/test/resources/standin-crds/prometheusrules.yaml").toAbsolutePath();
        kube.kubectl(null, "apply", "-f", standIns.toString()).orFail();
        kube.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s",
                "crd/prometheusrules.monitoring.coreos.com").orFail();
        dryRun("alerts", manifests);

        Manifests noMetrics = render("alerts", concat(lone(), List.of("--api-versions", "monitoring.coreos.com/v1",
                "--set", "metrics.enabled=false")));
        assertTrue(noMetrics.generic("monitoring.coreos.com/v1", "PrometheusRule").isEmpty(), noMetrics.describe());
        Container agent = container(noMetrics.one(DaemonSet.class, "copyservices-array-agent").getSpec().getTemplate()
                .getSpec(), "array-agent");
        assertEquals("/q/metrics", manifests.one(Deployment.class, "copyservices-operator").getSpec().getTemplate()
                .getMetadata().getAnnotations().get("prometheus.io/path"));
        assertEquals("/metrics", manifests.one(DaemonSet.class, "copyservices-array-agent").getSpec().getTemplate()
                .getMetadata().getAnnotations().get("prometheus.io/path"));
        for (PodSpec csiPod : List.of(manifests.one(Deployment.class, "copyservices-csi-controller").getSpec()
                .getTemplate().getSpec(), manifests.one(DaemonSet.class, "copyservices-csi-node").getSpec()
                .getTemplate().getSpec())) {
            Container driver = container(csiPod, "csi-driver");
            assertTrue(driver.getArgs().contains("--metrics-listen=$(POD_IP):9401"), driver.getArgs().toString());
            assertEquals(9401, port(driver, "metrics"));
            assertTrue(driver.getEnv().stream().anyMatch(e -> e.getName().equals("POD_IP")), driver.getEnv().toString());
        }
        Container noMetricsDriver = container(noMetrics.one(DaemonSet.class, "copyservices-csi-node").getSpec()
                .getTemplate().getSpec(), "csi-driver");
        assertFalse(noMetricsDriver.getArgs().stream().anyMatch(a -> a.startsWith("--metrics-listen")));
        assertFalse(agent.getArgs().stream().anyMatch(a -> a.startsWith("--metrics-listen")), agent.getArgs().toString());
    }

    @Test
    void theGrafanaDashboardShipsAsAConfigMapForTheSidecarWhenAskedFor() throws IOException {
        Manifests manifests = render(NAMESPACE, concat(lone(), List.of("--set", "metrics.grafanaDashboard.enabled=true")));
        ConfigMap dashboard = manifests.one(ConfigMap.class, "copyservices-dashboard");
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
        String json = dashboard.getData().get("copyservices-dashboard.json");
        assertEquals(Files.readString(chart.resolve("files/copyservices-dashboard.json")).strip(), json.strip());
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Map.class);
        assertEquals("copyservices", parsed.get("uid"));
        assertFalse(((List<?>) parsed.get("panels")).isEmpty());
        dryRun(NAMESPACE, manifests);
        assertTrue(render(NAMESPACE, lone()).of(ConfigMap.class).stream()
                .noneMatch(c -> c.getMetadata().getName().equals("copyservices-dashboard")), "off by default");
    }

    @Test
    void insecureDevRunsEveryComponentInPlaintextAndSaysSo() {
        Manifests manifests = render(NAMESPACE, List.of("--set", "site=site-a", "--set", "insecureDev=true"));
        assertWellFormed(manifests);
        PodSpec agentPod = manifests.one(DaemonSet.class, "copyservices-array-agent").getSpec().getTemplate().getSpec();
        Container agent = container(agentPod, "array-agent");
        PodSpec operatorPod = manifests.one(Deployment.class, "copyservices-operator").getSpec().getTemplate().getSpec();
        PodSpec controllerPod = manifests.one(Deployment.class, "copyservices-csi-controller").getSpec().getTemplate().getSpec();
        PodSpec nodePod = manifests.one(DaemonSet.class, "copyservices-csi-node").getSpec().getTemplate().getSpec();
        assertAll("insecure",
                () -> assertTrue(agent.getArgs().contains("--insecure-dev"), agent.getArgs().toString()),
                () -> assertFalse(agent.getArgs().stream().anyMatch(a -> a.startsWith("--tls") || a.startsWith("--replication")
                        || a.startsWith("--peer-site")), agent.getArgs().toString()),
                () -> assertEquals(7400, agent.getReadinessProbe().getGrpc().getPort(), "plaintext: the gRPC health check works"),
                () -> assertTrue(container(controllerPod, "csi-driver").getArgs().contains("--insecure-dev")),
                () -> assertTrue(container(nodePod, "csi-driver").getArgs().contains("--insecure-dev")),
                () -> assertEquals(Map.of("COPYSERVICES_AGENT_INSECURE_DEV", "true"),
                        agentEnv(container(operatorPod, "operator"))),
                () -> assertTrue(manifests.of(Certificate.class).isEmpty(), manifests.describe()),
                () -> assertTrue(manifests.find(Service.class, "copyservices-replication").isEmpty(), manifests.describe()));
        for (PodSpec pod : List.of(agentPod, operatorPod, controllerPod, nodePod)) {
            assertFalse(pod.getVolumes().stream().anyMatch(v -> v.getSecret() != null), "no TLS Secret: " + pod.getVolumes());
            for (Container container : pod.getContainers()) {
                assertFalse(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals(TLS_DIR)), container.getName());
                assertFalse(container.getArgs().stream().anyMatch(a -> a.startsWith("--tls")), container.getArgs().toString());
            }
        }
        dryRun(NAMESPACE, manifests);

        String install = helm.run("install", RELEASE, chart.toString(), "--namespace", NAMESPACE, "--dry-run=client",
                "--set", "site=site-a", "--set", "insecureDev=true").orFail();
        String notes = install.substring(install.indexOf("NOTES:"));
        assertTrue(notes.contains("INSECURE INSTALL (insecureDev=true)"), notes);
        assertTrue(notes.contains("not available: an insecure install has no replication link"), notes);
        assertFalse(notes.contains("mutual TLS"), notes);
    }

    @Test
    void aComponentThatIsOffNeedsNoIdentity() {
        Manifests agentsOnly = render(NAMESPACE, List.of("--set", "site=site-a", "--set", "tls.existingSecret=agent-tls",
                "--set", "operator.enabled=false", "--set", "csi.enabled=false"));
        assertTrue(agentsOnly.find(DaemonSet.class, "copyservices-array-agent").isPresent(), agentsOnly.describe());
        Manifests operatorOnly = render(NAMESPACE, List.of("--set", "site=site-a", "--set", "tls.certManager.enabled=true",
                "--set", "tls.certManager.issuerRef.name=copyservices-ca", "--api-versions", "cert-manager.io/v1",
                "--set", "arrayAgent.enabled=false", "--set", "csi.enabled=false"));
        assertEquals(List.of("copyservices-operator"), operatorOnly.of(Certificate.class).stream()
                .map(c -> c.getMetadata().getName()).toList(), "a Certificate only for the component that runs");
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

        assertTrue(notes.contains("O=cli-admin"), "csctl needs an identity of its own: " + notes);
        assertTrue(notes.contains("operator      operator-tls (subject O=operator)"), notes);

        String alone = helm.run(concat(List.of("install", RELEASE, chart.toString(), "--namespace", NAMESPACE,
                "--dry-run=client"), lone())).orFail();
        String aloneNotes = alone.substring(alone.indexOf("NOTES:"));
        assertTrue(aloneNotes.contains("not set up. Name the peer site (peer.site)"), aloneNotes);
        assertFalse(aloneNotes.contains("INSECURE"), aloneNotes);
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
                Arguments.of(concat(lone(), List.of("--set", "peer.replicationEndpoint=site-b.example.net:7500")),
                        "peer.replicationEndpoint: name the peer site as well (peer.site)"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "peer.site=site-a"), "peer.site"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "tls.existingSecret=replication-tls",
                        "--set", "arrayAgent.replicationHostPort=true",
                        "--set", "arrayAgent.replicationAdvertise=site-a.example.net:7500"), "arrayAgent.replicationHostPort"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "arrayAgent.replicationHostPort=yes"),
                        "/arrayAgent/replicationHostPort"),
                Arguments.of(concat(lone(), List.of("--set", "arrayAgent.replicationAdvertise=site-a.example.net:7500")),
                        "arrayAgent.replicationAdvertise: only a site with a peer has a replication listener; set peer.site"),
                // every component needs its identity, unless cert-manager makes them or the install is insecure
                Arguments.of(List.of("--set", "site=site-a"), "tls.existingSecret: every connection to the agents is mutual TLS;"
                        + " name the Secret (tls.crt, tls.key as PKCS#8 PEM, ca.crt) of the agents' certificate, subject"
                        + " O=array-agent, CN=site-a, or set tls.certManager.enabled"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "tls.existingSecret=agent-tls"),
                        "tls.operatorSecret: every connection to the agents is mutual TLS"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "tls.existingSecret=agent-tls",
                        "--set", "tls.operatorSecret=operator-tls"), "tls.csiSecret: every connection to the agents is mutual TLS"),
                Arguments.of(concat(lone(), List.of("--set", "tls.certManager.enabled=true",
                        "--set", "tls.certManager.issuerRef.name=ca", "--api-versions", "cert-manager.io/v1")),
                        "tls.csiSecret: with tls.certManager.enabled the chart makes all the Secrets itself"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "tls.certManager.enabled=true",
                        "--api-versions", "cert-manager.io/v1"), "tls.certManager.issuerRef.name"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "insecureDev=yes"), "/insecureDev"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "tls.operatorSecret=Operator_TLS"), "/tls/operatorSecret"),
                // an insecure install has no replication link and uses no TLS material
                Arguments.of(List.of("--set", "site=site-a", "--set", "insecureDev=true", "--set", "peer.site=site-b"),
                        "insecureDev: a plaintext install has no replication link, so no peer; leave peer.site unset"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "insecureDev=true",
                        "--set", "peer.replicationEndpoint=site-b.example.net:7500"), "leave peer.replicationEndpoint unset"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "insecureDev=true",
                        "--set", "arrayAgent.replicationHostPort=true"), "insecureDev: a plaintext install has no replication"
                        + " link, so no peer; leave arrayAgent.replicationHostPort unset"),
                Arguments.of(concat(List.of("--set", "insecureDev=true"), lone()),
                        "insecureDev: the components run without TLS and would not use tls.csiSecret"),
                Arguments.of(List.of("--set", "site=site-a", "--set", "insecureDev=true", "--set", "tls.certManager.enabled=true"),
                        "insecureDev: the components run without TLS and would not use tls.certManager.enabled"));
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
        Map<String, SortedMap<String, Set<String>>> granted = Grants.byServiceAccount(manifests);
        // for the reader of the CI log: what each ServiceAccount may do, resource by resource
        System.out.println("The chart's RBAC (site-a of a pair), ServiceAccount -> resource -> verbs:\n" + Grants.table(granted));
        assertEquals(expected, granted);
        assertFalse(manifests.one(ServiceAccount.class, "copyservices-array-agent").getAutomountServiceAccountToken(),
                "the agent has no API access and no token");

        // group snapshots add the snapshotter's group snapshot rights, and nothing else
        SortedMap<String, Set<String>> withGroups = new TreeMap<>(controller);
        withGroups.put("groupsnapshot.storage.k8s.io/volumegroupsnapshotclasses", verbs("get list watch"));
        withGroups.put("groupsnapshot.storage.k8s.io/volumegroupsnapshotcontents", verbs("get list watch update patch"));
        withGroups.put("groupsnapshot.storage.k8s.io/volumegroupsnapshotcontents/status", verbs("update patch"));
        Manifests groups = render(NAMESPACE, concat(lone(), List.of("--set", "csi.groupSnapshots=true")));
        SortedMap<String, Set<String>> controllerWithGroups = Grants.byServiceAccount(groups).get(NAMESPACE + "/copyservices-csi-controller");
        System.out.println("With csi.groupSnapshots=true:\n" + Grants.table(Map.of(NAMESPACE + "/copyservices-csi-controller", controllerWithGroups)));
        assertEquals(withGroups, controllerWithGroups);
    }

    @Test
    void withSeveralAgentsPerSiteEachAgentIsReachedAtItsNodesAddress() {
        Manifests manifests = render(NAMESPACE, concat(lone(), List.of("--set", "peer.site=site-b",
                "--set", "arrayAgent.replicationHostPort=true")));
        DaemonSet agents = manifests.one(DaemonSet.class, "copyservices-array-agent");
        Container agent = container(agents.getSpec().getTemplate().getSpec(), "array-agent");
        assertTrue(agent.getArgs().contains("--replication-advertise=$(HOST_IP):7500"), agent.getArgs().toString());
        assertEquals("status.hostIP", agent.getEnv().stream().filter(e -> e.getName().equals("HOST_IP")).findFirst()
                .orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals(7500, agent.getPorts().stream().filter(p -> "replication".equals(p.getName())).findFirst()
                .orElseThrow().getHostPort());
        dryRun(NAMESPACE, manifests);
    }

    /** The three components' TLS identities as Secrets made beforehand. */
    private static List<String> identities() {
        return List.of("--set", "tls.existingSecret=agent-tls", "--set", "tls.operatorSecret=operator-tls",
                "--set", "tls.csiSecret=csi-tls");
    }

    /** A site without a peer: the least a secure install needs. */
    private static List<String> lone() {
        return concat(List.of("--set", "site=site-a"), identities());
    }

    private static List<String> siteA() {
        return concat(List.of("--set", "site=site-a", "--set", "peer.site=site-b",
                "--set", "peer.replicationEndpoint=203.0.113.20:30750",
                "--set", "arrayAgent.replicationAdvertise=site-a.example.net:7500",
                "--set", "replicationService.type=LoadBalancer"), identities());
    }

    private static List<String> siteB() {
        return concat(List.of("--set", "site=site-b", "--set", "peer.site=site-a",
                "--set", "peer.replicationEndpoint=site-a.example.net:7500",
                "--set", "arrayAgent.replicationAdvertise=203.0.113.20:30750",
                "--set", "replicationService.type=NodePort", "--set", "replicationService.nodePort=30750"), identities());
    }

    private static void assertSite(Manifests manifests, String site, String peer, String advertise, String serviceType) {
        DaemonSet agents = manifests.one(DaemonSet.class, "copyservices-array-agent");
        Container agent = container(agents.getSpec().getTemplate().getSpec(), "array-agent");
        assertTrue(agent.getArgs().containsAll(concat(List.of("--site=" + site, "--replication-listen=$(POD_IP):7500",
                "--replication-advertise=" + advertise, "--peer-site=" + peer), TLS_ARGS)), agent.getArgs().toString());
        assertEquals(7500, port(agent, "replication"));
        assertIdentity(agents.getSpec().getTemplate().getSpec(), agent, "agent-tls");
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
                // no Fabric8 model on the classpath for these; the stand-in CRDs check their fields
                assertTrue(Set.of("VolumeSnapshotClass", "VolumeGroupSnapshotClass", "PrometheusRule").contains(generic.getKind()),
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

    /** The container reads its TLS identity from the Secret, mounted read-only, readable by its pod's users only. */
    private static void assertIdentity(PodSpec pod, Container container, String secret) {
        VolumeMount tlsMount = mount(container, TLS_DIR);
        assertTrue(tlsMount.getReadOnly(), container.getName());
        assertNull(tlsMount.getSubPath(), "a subPath mount would not see a renewed certificate");
        Volume tls = volume(pod, tlsMount.getName());
        assertEquals(secret, tls.getSecret().getSecretName(), container.getName());
        assertEquals(0440, tls.getSecret().getDefaultMode(), container.getName());
    }

    /** The container's COPYSERVICES_AGENT_* environment (the operator's way to the agents). */
    private static Map<String, String> agentEnv(Container container) {
        Map<String, String> env = new TreeMap<>();
        container.getEnv().stream().filter(e -> e.getName().startsWith("COPYSERVICES_AGENT_"))
                .forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
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

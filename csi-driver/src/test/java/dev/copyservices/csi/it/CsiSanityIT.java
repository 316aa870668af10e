package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.agent.it.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * csi-sanity (kubernetes-csi/csi-test v5) against the driver, controller and node in one process,
 * with a real agent, for filesystem and for block access. Every spec must pass, or be skipped for a
 * capability the driver does not advertise: the skip reasons are checked against that list, so a spec
 * skipped for any other reason fails the test.
 */
class CsiSanityIT {
    /** csi-sanity's skip messages for the capabilities and RPCs the driver does not offer. */
    private static final Set<String> CAPABILITIES_NOT_ADVERTISED = Set.of(
            "Controller Publish, UnpublishVolume not supported",
            "ControllerPublishVolume not supported",
            "ControllerUnpublishVolume not supported",
            "ControllerGetVolumeHealth not supported",
            "ControllerListVolumeHealth not supported",
            "ControllerModifyVolume not supported",
            "Modify Volume not supported",
            "Modify volume not supported",
            "GetSnapshot not supported",
            "NodeGetStorageHealth not supported",
            "NodeGetVolumeHealth not supported",
            "SNAPSHOT_ACCESSIBILITY_CONSTRAINTS not supported",
            "Service does not have single node multi writer capability");
    private static final Pattern SUMMARY = Pattern.compile(
            "(SUCCESS|FAIL)! -- (\\d+) Passed \\| (\\d+) Failed \\| (\\d+) Pending \\| (\\d+) Skipped");
    private static final Pattern SKIP_REASON = Pattern.compile("^  \\[SKIPPED\\] (?!in \\[)(.+)$", Pattern.MULTILINE);

    private static Path dir;
    private static AgentProcess agent;
    private static CsiDriverProcess driver;
    private static Path csiSanity;

    @BeforeAll
    static void start() throws Exception {
        Tools.Result install = Tools.run(AgentProcess.root().resolve("bin/install-csi-sanity").toString());
        assertEquals(0, install.exitCode(), "bin/install-csi-sanity failed:\n" + install.output());
        String[] lines = install.output().strip().split("\n");
        csiSanity = Path.of(lines[lines.length - 1]);
        dir = Files.createTempDirectory("csi-sanity-it");
        agent = AgentProcess.start(dir.resolve("pool"));
        driver = CsiDriverProcess.start(dir.resolve("driver"), "sanity-node", agent.controlAddress());
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (agent != null) {
            agent.close();
        }
        NodeLeftovers.deleteIfNothingMounted(dir);
    }

    @Test
    void csiSanityPassesForFilesystemVolumes() throws Exception {
        runSanity("mount", driver, driver);
    }

    @Test
    void csiSanityPassesForBlockVolumes() throws Exception {
        runSanity("block", driver, driver);
    }

    @Test
    void csiSanityPassesWithTheControllerAndTheNodeInProcessesOfTheirOwn() throws Exception {
        try (CsiDriverProcess controller = CsiDriverProcess.startInMode("controller", dir.resolve("controller"),
                "unused", agent.controlAddress());
                CsiDriverProcess node = CsiDriverProcess.startInMode("node", dir.resolve("node"),
                        "split-node", agent.controlAddress())) {
            runSanity("mount", controller, node);
        }
    }

    private void runSanity(String accessType, CsiDriverProcess controller, CsiDriverProcess node) throws Exception {
        String label = accessType + (controller == node ? "" : "-split");
        Path work = Files.createDirectories(dir.resolve("sanity-" + label));
        List<String> command = new ArrayList<>(List.of(csiSanity.toString(),
                "--csi.endpoint", node.socket().toString(),
                "--csi.controllerendpoint", controller.socket().toString(),
                "--csi.mountdir", work.resolve("mount").toString(),
                "--csi.stagingdir", work.resolve("staging").toString(),
                "--csi.testvolumesize", Long.toString(64L << 20),
                "--csi.testvolumeaccesstype", accessType,
                "--ginkgo.v", "--ginkgo.no-color"));
        Tools.Result result = Tools.run(command);
        String output = result.output();
        Path report = work.resolve("csi-sanity.log");
        Files.writeString(report, output);
        Matcher summary = SUMMARY.matcher(output);
        assertTrue(summary.find(), "no csi-sanity summary in its output (" + report + "):\n" + tail(output));
        System.out.println("csi-sanity (" + label + "): " + summary.group());
        assertEquals("0", summary.group(3), "csi-sanity specs failed (" + report + "):\n" + tail(output)
                + "\ndriver log:\n" + tail(controller.log()) + (controller == node ? "" : tail(node.log())));
        assertEquals(0, result.exitCode(), "csi-sanity exited " + result.exitCode() + ":\n" + tail(output));
        assertTrue(Integer.parseInt(summary.group(2)) > 50, "too few specs ran: " + summary.group());
        Set<String> unexpected = new TreeSet<>();
        Matcher skip = SKIP_REASON.matcher(output);
        int reasons = 0;
        while (skip.find()) {
            reasons++;
            if (!CAPABILITIES_NOT_ADVERTISED.contains(skip.group(1).strip())) {
                unexpected.add(skip.group(1).strip());
            }
        }
        assertEquals(Integer.parseInt(summary.group(5)), reasons, "every skipped spec has one reason in the output");
        assertTrue(unexpected.isEmpty(), "specs skipped for reasons other than an unadvertised capability: " + unexpected);
        assertEquals(List.of(), NodeLeftovers.mountsUnder(work), "csi-sanity's volumes left mounted");
        assertEquals(List.of(), NodeLeftovers.attachments(node.stateDir()), "volumes left attached");
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : text.substring(text.length() - 6000);
    }
}

package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.MirrorSites;
import dev.copyservices.agent.it.Tools;
import dev.copyservices.api.agent.v1.MirrorState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirror create --wait} and {@code mirror resume --wait} against two real agents with mutual
 * TLS: the command returns when the mirror is Synchronized, and at that moment the secondary holds the
 * primary's data, read back over NBD.
 */
class MirrorCsctlIT {
    private static final long MIB = 1 << 20;

    @TempDir
    static Path tmp;
    private static MirrorSites sites;
    private static CsctlProcess csctl;
    private static List<String> admin;

    @BeforeAll
    static void startSites() throws Exception {
        sites = MirrorSites.start(tmp.resolve("sites"), false);
        sites.activate();
        csctl = new CsctlProcess(sites.a().agent(), tmp);
        admin = sites.pki().agentArgs(MirrorSites.admin(sites.pki()));
    }

    @AfterAll
    static void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    private static CsctlProcess.Run csctl(String... args) throws Exception {
        List<String> all = new ArrayList<>(admin);
        all.addAll(List.of(args));
        return csctl.csctl(all.toArray(String[]::new));
    }

    private static String lastLine(CsctlProcess.Run run) {
        List<String> lines = run.out().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Test
    void createAndResumeWithWaitReturnOnceTheSecondaryHoldsThePrimarysData() throws Exception {
        sites.createVolumes("db", 32 * MIB);
        Tools.qemuIoOk(sites.a().agent().attachedNbdUri("db"), List.of("write -P 0x41 0 32M"));

        CsctlProcess.Run created = csctl("mirror", "create", "db", "--peer", sites.b().endpoint(), "--secondary", "db",
                "--yes", "--wait", "--interval", "0.05");
        assertEquals(0, created.exit(), created.transcript());
        assertTrue(created.out().contains("created: Synchronizing"), created.transcript());
        assertTrue(lastLine(created).endsWith(": Synchronized"), created.transcript());
        assertEquals(MirrorState.SYNCHRONIZED, sites.a().mirror("db").getState());
        // the secondary is read-only over NBD, and readable: the whole initial copy is there
        Tools.qemuIoOk(true, sites.b().agent().attachedNbdUri("db"), List.of("read -P 0x41 0 32M"));

        CsctlProcess.Run suspended = csctl("mirror", "suspend", "db", "--yes");
        assertEquals(0, suspended.exit(), suspended.transcript());
        Tools.qemuIoOk(sites.a().agent().attachedNbdUri("db"), List.of("write -P 0x42 0 4M"));
        CsctlProcess.Run resumed = csctl("mirror", "resume", "db", "--wait", "--interval", "0.05");
        assertEquals(0, resumed.exit(), resumed.transcript());
        assertTrue(lastLine(resumed).endsWith(": Synchronized"), resumed.transcript());
        Tools.qemuIoOk(true, sites.b().agent().attachedNbdUri("db"), List.of("read -P 0x42 0 4M", "read -P 0x41 4M 28M"));

        // a name that is no mirror is the agent's refusal, before anything waits
        CsctlProcess.Run unknown = csctl("mirror", "resume", "nothing", "--wait");
        assertEquals(1, unknown.exit(), unknown.transcript());
        assertTrue(unknown.err().contains("hint:"), unknown.transcript());
    }
}

package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.Attachment;
import dev.copyservices.api.agent.v1.AttachVolumeRequest;
import dev.copyservices.api.agent.v1.DetachVolumeRequest;
import dev.copyservices.api.agent.v1.ListVolumesResponse;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.UpdateVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code csctl volume ...}: what each command sends and what it prints. */
class VolumeCommandsTest {

    private static final long GIB = 1L << 30;

    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    @Test
    void createSendsNameSizeAccessAndAttributes() {
        FakeAgent.Result r = agent.run("volume", "create", "db 1", "--size", "1.5GiB", "--read-only",
                "--attribute", "app=db", "--attribute", "pvc=ns/claim=x");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CreateVolumeRequest.newBuilder().setName("db 1").setSizeBytes(3 * GIB / 2).setReadOnly(true)
                .putAttributes("app", "db").putAttributes("pvc", "ns/claim=x").build(),
                agent.last(CreateVolumeRequest.class));
        assertEquals("volume \"db 1\" created: 1.5 GiB, read-only\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void createWithJsonPrintsTheVolume() throws Exception {
        FakeAgent.Result r = agent.run("-o", "json", "volume", "create", "db1", "--size", "1GiB");
        assertEquals(0, r.exit(), r.err());
        Volume.Builder printed = Volume.newBuilder();
        JsonFormat.parser().merge(r.out(), printed);
        assertEquals(agent.volumes.get("db1"), printed.build());
        assertTrue(r.out().contains("\"sizeBytes\": \"1073741824\""), r.out());
        assertTrue(r.out().contains("\"readOnly\": false"), "default values are printed too: " + r.out());
    }

    @Test
    void badSizeIsAUsageErrorWithTheSizeParsersMessage() {
        FakeAgent.Result decimal = agent.run("volume", "create", "db1", "--size", "1GB");
        assertEquals(2, decimal.exit());
        assertEquals("error: Invalid value for option '--size': '1GB' uses the ambiguous unit 'GB'; write GiB for"
                + " binary units (1 GiB = 1073741824 bytes)\nhint: see 'csctl volume create --help'\n", decimal.err());

        FakeAgent.Result garbage = agent.run("volume", "resize", "db1", "--size", "big");
        assertEquals(2, garbage.exit());
        assertTrue(garbage.err().startsWith("error: Invalid value for option '--size': 'big' is not a size"),
                garbage.err());
        assertTrue(garbage.err().contains("hint: see 'csctl volume resize --help'"), garbage.err());
        assertTrue(agent.requests.isEmpty(), "nothing is sent for a bad size");
        assertEquals("", decimal.out() + garbage.out());
    }

    @Test
    void listPrintsATableSortedByName() {
        agent.put("web", 10 * GIB);
        agent.volumes.put("db", agent.put("db", GIB).toBuilder().setAllocatedBytes(512L << 20).setReadOnly(true)
                .setNbdConnections(2).build());
        FakeAgent.Result r = agent.run("volume", "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                NAME  KIND      SIZE    ALLOCATED  ACCESS      CONNECTIONS
                db    standard  1 GiB   512 MiB    read-only   2
                web   standard  10 GiB  0 B        read-write  0
                """, r.out());
        assertEquals(Map.of(), agent.last(ListVolumesRequest.class).getAttributeSelectorMap());
    }

    @Test
    void listSendsTheAttributeSelector() {
        agent.run("volume", "list", "--attribute", "app=db", "--attribute", "tier=gold");
        assertEquals(Map.of("app", "db", "tier", "gold"), agent.last(ListVolumesRequest.class).getAttributeSelectorMap());
    }

    @Test
    void emptyListSaysSoOnStderrOnly() {
        FakeAgent.Result r = agent.run("volume", "list");
        assertEquals(0, r.exit());
        assertEquals("", r.out());
        assertEquals("no volumes\n", r.err());
    }

    @Test
    void listWithJsonIsAnObjectWithAVolumesArray() throws Exception {
        FakeAgent.Result empty = agent.run("-o", "json", "volume", "list");
        assertEquals("{\n  \"volumes\": []\n}\n", empty.out());

        agent.put("a", GIB);
        agent.put("b", 2 * GIB);
        FakeAgent.Result r = agent.run("-o", "json", "volume", "list");
        ListVolumesResponse.Builder printed = ListVolumesResponse.newBuilder();
        JsonFormat.parser().merge(r.out(), printed);
        assertEquals(List.copyOf(agent.volumes.values()), printed.getVolumesList());
    }

    @Test
    void showPrintsEveryField() {
        agent.volumes.put("db 1", agent.put("db 1", GIB).toBuilder().setAllocatedBytes(4096).setNbdConnections(1)
                .putAttributes("pvc", "default/data").putAttributes("app", "db")
                .addAttachments(Attachment.newBuilder().setHost("node-1").addAddresses("10.0.0.1").addAddresses("fd00::1"))
                .addAttachments(Attachment.newBuilder().setHost("node-2").addAddresses("10.0.0.2")).build());
        FakeAgent.Result r = agent.run("volume", "show", "db 1");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                Name:         db 1
                ID:           id-db 1
                Kind:         standard
                Size:         1 GiB (1073741824 bytes)
                Allocated:    4 KiB
                Access:       read-write
                Connections:  1
                Attached to:  node-1 (10.0.0.1, fd00::1)
                              node-2 (10.0.0.2)
                Created:      2023-11-14T22:13:20Z
                Attributes:   app=db
                              pvc=default/data
                """, r.out());
    }

    @Test
    void listShowsFlashCopiesWithTheirBase() {
        agent.put("db", GIB);
        agent.volumes.put("db-1", agent.put("db-1", GIB).toBuilder().setKind(VolumeKind.FLASHCOPY).setBase("db").build());
        FakeAgent.Result r = agent.run("volume", "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                NAME  KIND             SIZE   ALLOCATED  ACCESS      CONNECTIONS
                db    standard         1 GiB  0 B        read-write  0
                db-1  FlashCopy of db  1 GiB  0 B        read-write  0
                """, r.out());
    }

    @Test
    void showNamesTheBaseOfAFlashCopyOnly() {
        agent.volumes.put("db-1", agent.put("db-1", GIB).toBuilder().setKind(VolumeKind.FLASHCOPY).setBase("db").build());
        agent.put("db", GIB);
        String flashCopy = agent.run("volume", "show", "db-1").out();
        assertTrue(flashCopy.contains("\nKind:         FlashCopy\nBase:         db\nSize:"), flashCopy);
        String standard = agent.run("volume", "show", "db").out();
        assertTrue(standard.contains("\nKind:         standard\nSize:"), standard);
    }

    @Test
    void showSaysRightAfterTheKindThatTheVolumeHoldsAnIncompleteCopy() {
        agent.volumes.put("db-copy", agent.put("db-copy", GIB).toBuilder()
                .setIncompleteCopy("withdrawn with 4096 of 16384 regions copied from \"db\"").build());
        FakeAgent.Result r = agent.run("volume", "show", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\nKind:             standard\nIncomplete copy:  withdrawn with 4096 of 16384"
                + " regions copied from \"db\"\nSize:"), r.out());
    }

    @Test
    void showSaysWhatRestrictsHostAccessRightAfterTheAccessMode() {
        agent.volumes.put("db", agent.put("db", GIB).toBuilder()
                .setAccessRestriction("read-only: source of VolumeCopy onto 'backup' (InProgress)").build());
        FakeAgent.Result r = agent.run("volume", "show", "db");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\nAccess:              read-write (read-only now)\nAccess restriction:  read-only:"
                + " source of VolumeCopy onto 'backup' (InProgress)\nConnections:"), r.out());
    }

    @Test
    void listShowsWhatHostsGetNowForRestrictedVolumes() {
        agent.volumes.put("backup", agent.put("backup", GIB).toBuilder()
                .setAccessRestriction("no host I/O: target of VolumeCopy from 'db' (InProgress)").build());
        agent.volumes.put("db", agent.put("db", GIB).toBuilder()
                .setAccessRestriction("read-only: source of VolumeCopy onto 'backup' (InProgress)").build());
        String out = agent.run("volume", "list").out();
        assertTrue(out.contains("read-write (no host I/O now)"), out);
        assertTrue(out.contains("read-write (read-only now)"), out);
    }

    @Test
    void showHasNoRestrictionLineWhenNothingRestrictsAccess() {
        agent.put("db", GIB);
        String out = agent.run("volume", "show", "db").out();
        assertFalse(out.contains("restriction"), out);
        assertTrue(out.contains("\nAccess:       read-write\nConnections:"), out);
    }

    @Test
    void aKindFromANewerAgentIsShownAsUnknown() {
        agent.volumes.put("x", agent.put("x", GIB).toBuilder().setKindValue(7).build());
        assertTrue(agent.run("volume", "list").out().contains("x     unknown (7)  1 GiB"));
    }

    @Test
    void attachSendsTheHostAndEveryAddressAndSaysWhereTheVolumeIsAttached() {
        agent.put("db1", GIB);
        FakeAgent.Result r = agent.run("volume", "attach", "db1", "--host", "node-1", "--address", "10.0.0.1",
                "--address", "fd00::1");
        assertEquals(0, r.exit(), r.err());
        assertEquals(AttachVolumeRequest.newBuilder().setName("db1").setHost("node-1").addAddresses("10.0.0.1")
                .addAddresses("fd00::1").build(), agent.last(AttachVolumeRequest.class));
        assertEquals("volume \"db1\" attached to node-1 (10.0.0.1, fd00::1)\n", r.out());

        FakeAgent.Result detached = agent.run("volume", "detach", "db1", "--host", "node-1");
        assertEquals(0, detached.exit(), detached.err());
        assertEquals(DetachVolumeRequest.newBuilder().setName("db1").setHost("node-1").build(),
                agent.last(DetachVolumeRequest.class));
        assertEquals("volume \"db1\" detached from \"node-1\"; attached to -\n", detached.out());
    }

    @Test
    void attachWithoutAnAddressIsAUsageErrorAndSendsNothing() {
        agent.put("db1", GIB);
        FakeAgent.Result r = agent.run("volume", "attach", "db1", "--host", "node-1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--address"), r.err());
        assertTrue(agent.requests.isEmpty(), "nothing is sent without an address");
    }

    @Test
    void resizeSendsTheNewSize() {
        agent.put("db1", GIB);
        FakeAgent.Result r = agent.run("volume", "resize", "db1", "--size", "2GiB");
        assertEquals(0, r.exit(), r.err());
        assertEquals(ResizeVolumeRequest.newBuilder().setName("db1").setSizeBytes(2 * GIB).build(),
                agent.last(ResizeVolumeRequest.class));
        assertEquals("volume \"db1\" resized: 2 GiB\n", r.out());
    }

    @Test
    void setSendsOnlyWhatWasGiven() {
        agent.volumes.put("db1", agent.put("db1", GIB).toBuilder().putAttributes("old", "1").build());
        FakeAgent.Result r = agent.run("volume", "set", "db1", "--attribute", "app=db", "--remove-attribute", "old");
        assertEquals(0, r.exit(), r.err());
        UpdateVolumeRequest sent = agent.last(UpdateVolumeRequest.class);
        assertFalse(sent.hasReadOnly(), "access is left alone when --read-only is not given");
        assertEquals(Map.of("app", "db"), sent.getSetAttributesMap());
        assertEquals(List.of("old"), sent.getRemoveAttributesList());
        assertEquals("volume \"db1\" updated: read-write, attributes: app=db\n", r.out());

        FakeAgent.Result ro = agent.run("volume", "set", "db1", "--read-only", "true");
        assertTrue(agent.last(UpdateVolumeRequest.class).hasReadOnly());
        assertTrue(agent.last(UpdateVolumeRequest.class).getReadOnly());
        assertEquals("volume \"db1\" updated: read-only, attributes: app=db\n", ro.out());
    }

    @Test
    void setWithNothingOrAContradictionIsAUsageError() {
        agent.put("db1", GIB);
        FakeAgent.Result nothing = agent.run("volume", "set", "db1");
        assertEquals(2, nothing.exit());
        assertEquals("error: nothing to change: give --read-only, --attribute or --remove-attribute\n"
                + "hint: see 'csctl volume set --help'\n", nothing.err());
        FakeAgent.Result both = agent.run("volume", "set", "db1", "--attribute", "a=1", "--remove-attribute", "a");
        assertEquals(2, both.exit());
        assertTrue(both.err().startsWith("error: attribute 'a' is both set and removed"), both.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void deleteSendsForceAndConfirms() {
        agent.put("db1", GIB);
        agent.put("db2", GIB);
        FakeAgent.Result r = agent.run("volume", "delete", "db1");
        assertEquals(0, r.exit(), r.err());
        assertFalse(agent.last(DeleteVolumeRequest.class).getForce());
        assertEquals("volume \"db1\" deleted\n", r.out());

        FakeAgent.Result json = agent.run("-o", "json", "volume", "delete", "db2", "--force");
        assertTrue(agent.last(DeleteVolumeRequest.class).getForce());
        assertEquals("{\n}\n", json.out());
    }

    @Test
    void agentErrorsShowTheAgentsMessageAndCorrection() {
        FakeAgent.Result r = agent.run("volume", "show", "nope");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: volume \"nope\" does not exist\nhint: list the volumes with 'csctl volume list'\n",
                r.err());

        agent.put("db1", GIB);
        FakeAgent.Result exists = agent.run("-o", "json", "volume", "create", "db1", "--size", "2GiB");
        assertEquals(1, exists.exit());
        assertEquals("", exists.out(), "errors are never printed as JSON on stdout");
        assertEquals("error: volume \"db1\" already exists with another size\nhint: choose another name\n",
                exists.err());
    }
}

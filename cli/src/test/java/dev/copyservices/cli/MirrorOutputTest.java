package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CommunicationResult;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** How mirror values read: names of states, roles and modes, lag and round trips, a mirror the agent sent little of. */
class MirrorOutputTest {

    @Test
    void statesRolesResyncAndResultsAreSingleCapitalisedWordsOrADash() {
        assertEquals(List.of("Synchronizing", "Synchronized", "Suspended", "Unsynchronized", "DualPrimary",
                "DualSecondary", "Unresponsive", "-", "unknown"), List.of(MirrorState.SYNCHRONIZING,
                MirrorState.SYNCHRONIZED, MirrorState.SUSPENDED, MirrorState.UNSYNCHRONIZED, MirrorState.DUAL_PRIMARY,
                MirrorState.DUAL_SECONDARY, MirrorState.UNRESPONSIVE, MirrorState.MIRROR_STATE_UNSPECIFIED,
                MirrorState.UNRECOGNIZED).stream().map(MirrorOutput::state).toList());
        assertEquals("Primary", MirrorOutput.role(MirrorRole.PRIMARY));
        assertEquals("Secondary", MirrorOutput.role(MirrorRole.SECONDARY));
        assertEquals("-", MirrorOutput.role(MirrorRole.MIRROR_ROLE_UNSPECIFIED));
        assertEquals("Manual", MirrorOutput.resync(ResyncMethod.MANUAL));
        assertEquals("Automatic", MirrorOutput.resync(ResyncMethod.AUTOMATIC));
        assertEquals("Passed", MirrorOutput.result(CommunicationResult.COMMUNICATION_PASSED));
        assertEquals("Warning (Passed with Caution)", MirrorOutput.result(CommunicationResult.COMMUNICATION_WARNING));
        assertEquals("Failed", MirrorOutput.result(CommunicationResult.COMMUNICATION_FAILED));
        assertEquals("unknown", MirrorOutput.result(CommunicationResult.UNRECOGNIZED));
    }

    @Test
    void everyModeAndResyncMethodOnTheCommandLineIsOneTheOutputShows() {
        Converters.Mode modes = new Converters.Mode();
        for (WriteMode m : List.of(WriteMode.SYNCHRONOUS, WriteMode.ASYNCHRONOUS)) {
            assertEquals(m, modes.convert(MirrorOutput.mode(m)));
            assertEquals(m, modes.convert(" " + MirrorOutput.mode(m).toUpperCase(Locale.ROOT) + " "));
        }
        Converters.Resync methods = new Converters.Resync();
        for (ResyncMethod m : List.of(ResyncMethod.MANUAL, ResyncMethod.AUTOMATIC)) {
            assertEquals(m, methods.convert(MirrorOutput.resync(m)));
            assertEquals(m, methods.convert(MirrorOutput.resync(m).toLowerCase(Locale.ROOT)));
        }
    }

    @Test
    void theModeColumnNamesTheConsistencyGroupOfAnAsynchronousMirrorOnly() {
        Mirror.Builder m = Mirror.newBuilder().setWriteMode(WriteMode.ASYNCHRONOUS);
        assertEquals("async", MirrorOutput.mode(m.build()));
        assertEquals("async+cg:nightly", MirrorOutput.mode(m.setConsistencyGroup("nightly").build()));
        assertEquals("sync", MirrorOutput.mode(m.setWriteMode(WriteMode.SYNCHRONOUS).build()));
        assertEquals("Metro Mirroring", MirrorOutput.modeName(m.build()).orElseThrow());
        assertEquals("Global Mirroring", MirrorOutput.modeName(m.setWriteMode(WriteMode.ASYNCHRONOUS).build())
                .orElseThrow());
        assertEquals("Global Copy", MirrorOutput.modeName(m.setConsistencyGroup("").build()).orElseThrow());
        assertTrue(MirrorOutput.modeName(Mirror.getDefaultInstance()).isEmpty());
    }

    @Test
    void lagIsRoundedUpToATenthSoThatItNeverLooksSmallerThanItIs() {
        assertEquals("0", MirrorOutput.seconds(0));
        assertEquals("0.1", MirrorOutput.seconds(0.01));
        assertEquals("1.3", MirrorOutput.seconds(1.23));
        assertEquals("2", MirrorOutput.seconds(2.0));
        assertEquals("0", MirrorOutput.seconds(Double.NaN));
        assertEquals("-", MirrorOutput.seconds(Double.POSITIVE_INFINITY));
        assertEquals("1.3s", MirrorOutput.lagCell(1.23));
        assertEquals("-", MirrorOutput.lagCell(Double.POSITIVE_INFINITY));
        assertEquals("1 second", MirrorOutput.lag(1));
        assertEquals("59.9 seconds", MirrorOutput.lag(59.88));
        assertEquals("3725 seconds (about 1 hour 2 minutes)", MirrorOutput.lag(3725));
    }

    @Test
    void roundTripsHaveAtMostTwoDecimalsAndADashWhenNotMeasured() {
        assertEquals("1.23 ms", MirrorOutput.millis(1.234));
        assertEquals("0.01 ms", MirrorOutput.millis(0.005));
        assertEquals("50 ms", MirrorOutput.millis(50));
        assertEquals("-", MirrorOutput.millis(0));
        assertEquals("-", MirrorOutput.millis(Double.NaN));
    }

    @Test
    void theArrowOfAPairPointsTheWayTheDataFlows() {
        Mirror.Builder m = Mirror.newBuilder().setVolume("db").setPeerVolume("db-copy").setPeerArray("array-b")
                .setRole(MirrorRole.PRIMARY).setPeerRole(MirrorRole.SECONDARY);
        assertEquals("\"db\" -> \"db-copy\" on array-b", MirrorOutput.pair(m.build()));
        assertEquals("\"db\" <- \"db-copy\" on array-b", MirrorOutput.pair(m.setRole(MirrorRole.SECONDARY)
                .setPeerRole(MirrorRole.PRIMARY).build()));
        assertEquals("\"db\" <-> \"db-copy\" on array-b", MirrorOutput.pair(m.setPeerRole(MirrorRole.SECONDARY)
                .build()));
        assertEquals("\"db\" <-> its peer on b:7401", MirrorOutput.pair(Mirror.newBuilder().setVolume("db")
                .setPeerEndpoint("b:7401").build()));
    }

    @Test
    void thePeerColumnHasADashForWhatIsNotKnown() {
        assertEquals("-", MirrorOutput.peer(Mirror.getDefaultInstance()));
        assertEquals("-:db-copy", MirrorOutput.peer(Mirror.newBuilder().setPeerVolume("db-copy").build()));
        assertEquals("array-b:db-copy", MirrorOutput.peer(Mirror.newBuilder().setPeerArray("array-b")
                .setPeerVolume("db-copy").build()));
    }

    @Test
    void aMirrorWithoutIdsOrTimesShowsNamesAndDashes() {
        String text = MirrorOutput.render(Mirror.newBuilder().setVolume("db").setState(MirrorState.SUSPENDED)
                .build(), true);
        assertEquals("""
                Volume:             db
                Mirror ID:          -
                Role:               -
                State:              Suspended
                Peer:
                  Array:            -
                  Endpoint:         -
                  Volume:           -
                  Role:             -
                  Reachable:        no
                Write mode:         -
                Consistency group:  -
                Sync priority:      -
                Resync:             -
                Generation:         0
                Capacity:           0 B
                Out of sync:        0 B
                Last synchronized:  never
                Created:            -
                Bytes sent:         0 B
                """, text);
        assertFalse(text.contains("Warning") || text.contains("Lag") || text.contains("Progress"), text);
    }
}

package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Table, detail block and value formatting. */
class OutputTest {

    @Test
    void tableAlignsColumnsWithoutTrailingSpaces() {
        String text = new Output.Table("NAME", "SIZE", "NOTE")
                .row("a long name", "1 GiB", "")
                .row("b", "512 MiB", "x")
                .render();
        assertEquals("""
                NAME         SIZE     NOTE
                a long name  1 GiB
                b            512 MiB  x
                """, text);
    }

    @Test
    void tableRefusesRowsOfTheWrongWidth() {
        assertThrows(IllegalArgumentException.class, () -> new Output.Table("A", "B").row("only one"));
    }

    @Test
    void detailsAlignValuesAcrossSectionsAndContinueMultiLineValues() {
        String text = new Output.Details()
                .field("Name", "x")
                .section("Capacity")
                .field("Provisioned", "1 GiB")
                .end()
                .field("Tags", "a=1\nb=2")
                .render();
        assertEquals("""
                Name:           x
                Capacity:
                  Provisioned:  1 GiB
                Tags:           a=1
                                b=2
                """, text);
    }

    @Test
    void bytesUseBinaryUnitsAndSurviveUnsignedValues() {
        assertEquals("0 B", Output.bytes(0));
        assertEquals("1.5 GiB", Output.bytes(3L << 29));
        assertEquals("18446744073709551615 B", Output.bytes(-1));
    }

    @Test
    void timeIsUtcToTheSecondOrDash() {
        assertEquals("2023-11-14T22:13:20Z",
                Output.time(true, Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(999_000_000).build()));
        assertEquals("-", Output.time(false, Timestamp.getDefaultInstance()));
    }

    @Test
    void aRunWithRedirectedStreamsIsNoTerminal() {
        // the test JVM's stdin and stdout are pipes from the build tool, as in a script
        assertFalse(Main.stdoutIsTerminal());
    }

    @Test
    void outputIsATerminalOnlyForTablesOnATerminal() {
        PrintWriter out = new PrintWriter(new StringWriter());
        assertTrue(new Output(out, Output.Format.table, true).terminal());
        assertFalse(new Output(out, Output.Format.json, true).terminal());
        assertFalse(new Output(out, Output.Format.table, false).terminal());
    }
}

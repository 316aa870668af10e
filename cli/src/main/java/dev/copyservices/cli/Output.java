package dev.copyservices.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.Sizes;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything csctl prints on stdout: protobuf JSON or YAML for scripts ({@code -o json|yaml}), and for people aligned
 * tables, "label: value" detail blocks and one-line confirmations. Errors go elsewhere (ErrorReporter).
 */
final class Output {

    /** The {@code -o} values. Lower case because that is how they are typed. */
    enum Format {
        table, json, yaml
    }

    /*
     * Default-valued fields are printed too, so a script sees "readOnly": false and "volumes": [] instead of
     * having to know proto3 drops zero values. Map keys are sorted so output is stable.
     */
    private static final JsonFormat.Printer JSON = JsonFormat.printer().includingDefaultValueFields().sortingMapKeys();
    /** The same on one line, for streams a script reads line by line (JSON lines). */
    private static final JsonFormat.Printer JSON_LINE = JSON.omittingInsignificantWhitespace();

    private final PrintWriter out;
    private final Format format;
    private final boolean terminal;

    /** {@code terminal}: stdout is a terminal (see {@link Main#stdoutIsTerminal()}). */
    Output(PrintWriter out, Format format, boolean terminal) {
        this.out = out;
        this.format = format;
        this.terminal = terminal;
    }

    /** JSON or YAML: a script reads the messages themselves, not tables. */
    boolean structured() {
        return format != Format.table;
    }

    /**
     * Whether a person is reading at a terminal, so that table output may draw (a progress bar). Never
     * for JSON, and never when stdout goes to a file or a pipe, whose readers want plain lines.
     */
    boolean terminal() {
        return terminal && !structured();
    }

    /** Prints a message as protobuf JSON (lowerCamelCase field names), or the same as YAML. */
    void document(MessageOrBuilder message) {
        out.print(format == Format.yaml ? Yaml.of(toJson(message)) : toJson(message) + System.lineSeparator());
        out.flush();
    }

    /**
     * Prints one message of a stream, flushed at once so a reader sees it: JSON on one line (JSON
     * lines), or a YAML document that starts with "---".
     */
    void streamed(MessageOrBuilder message) {
        if (format == Format.yaml) {
            out.print("---" + System.lineSeparator() + Yaml.of(toJson(message)));
        } else {
            try {
                out.println(JSON_LINE.print(message));
            } catch (InvalidProtocolBufferException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    void print(String block) {
        out.print(block);
        out.flush();
    }

    static String toJson(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            // only possible for Any fields with unknown types, which the contract does not have
            throw new UncheckedIOException(e);
        }
    }

    /** Human size of a byte count, e.g. {@code 1.5 GiB}. Fields are uint64; beyond 8 EiB show plain bytes. */
    static String bytes(long bytes) {
        return bytes < 0 ? Long.toUnsignedString(bytes) + " B" : Sizes.format(bytes);
    }

    /** UTC instant to the second, e.g. {@code 2025-01-31T12:00:00Z}; {@code -} when unset. */
    static String time(boolean present, Timestamp ts) {
        if (!present) {
            return "-";
        }
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code -} for empty text, so that a column or field is never blank. */
    static String orDash(String text) {
        return text == null || text.isEmpty() ? "-" : text;
    }

    /** A table with upper-case headers; columns are left-aligned and separated by at least two spaces. */
    static final class Table {
        private final List<String> headers;
        private final List<List<String>> rows = new ArrayList<>();

        Table(String... headers) {
            this.headers = List.of(headers);
        }

        Table row(String... cells) {
            if (cells.length != headers.size()) {
                throw new IllegalArgumentException("row has " + cells.length + " cells for " + headers.size() + " columns");
            }
            rows.add(List.of(cells));
            return this;
        }

        String render() {
            int[] widths = new int[headers.size()];
            List<List<String>> all = new ArrayList<>(rows.size() + 1);
            all.add(headers);
            all.addAll(rows);
            for (List<String> r : all) {
                for (int c = 0; c < widths.length; c++) {
                    widths[c] = Math.max(widths[c], r.get(c).length());
                }
            }
            StringBuilder sb = new StringBuilder();
            for (List<String> r : all) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < widths.length; c++) {
                    line.append(r.get(c));
                    if (c < widths.length - 1) {
                        line.append(" ".repeat(widths[c] - r.get(c).length() + 2));
                    }
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
            return sb.toString();
        }
    }

    /**
     * A "label: value" block with aligned values. Sections start an indented group; a value with line
     * breaks continues on following lines in the value column.
     */
    static final class Details {
        private record Entry(int indent, String label, String value) {
        }

        private final List<Entry> entries = new ArrayList<>();
        private int indent;

        Details field(String label, String value) {
            entries.add(new Entry(indent, label, value));
            return this;
        }

        /** Starts a titled group; fields after it are indented until {@link #end()}. */
        Details section(String title) {
            entries.add(new Entry(0, title, null));
            indent = 2;
            return this;
        }

        Details end() {
            indent = 0;
            return this;
        }

        String render() {
            int width = 0;
            for (Entry e : entries) {
                if (e.value() != null) {
                    width = Math.max(width, e.indent() + e.label().length() + 1);
                }
            }
            StringBuilder sb = new StringBuilder();
            for (Entry e : entries) {
                String head = " ".repeat(e.indent()) + e.label() + ":";
                if (e.value() == null) {
                    sb.append(head).append('\n');
                    continue;
                }
                String[] lines = e.value().split("\n", -1);
                sb.append(head).append(" ".repeat(width - head.length() + 2)).append(lines[0]).append('\n');
                for (int i = 1; i < lines.length; i++) {
                    sb.append(" ".repeat(width + 2)).append(lines[i]).append('\n');
                }
            }
            return sb.toString();
        }
    }
}

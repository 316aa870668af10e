package dev.copyservices.api;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Capacities as people write them: plain bytes or binary (IEC) units, e.g. {@code 1073741824},
 * {@code 512MiB}, {@code 1.5GiB}. Decimal units ({@code GB}) are refused rather than guessed, because a
 * 7% difference in a volume size is the kind of surprise a storage administrator does not forgive.
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*([A-Za-z]*)\\s*$");
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Sizes() {
    }

    /** Parses a size; throws {@link IllegalArgumentException} with a message that says what to write. */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("size is missing; write it as bytes or with a binary unit, e.g. 10GiB");
        }
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write bytes (1073741824) or a number"
                    + " with a binary unit: KiB, MiB, GiB, TiB, PiB (e.g. 10GiB)");
        }
        int exponent = exponentOf(m.group(2), text);
        BigInteger scaled;
        try {
            scaled = new java.math.BigDecimal(m.group(1))
                    .multiply(new java.math.BigDecimal(BigInteger.ONE.shiftLeft(10 * exponent)))
                    .toBigIntegerExact();
        } catch (ArithmeticException notWhole) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes; use a smaller unit");
        }
        if (scaled.bitLength() > 63) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return scaled.longValueExact();
    }

    private static int exponentOf(String unit, String text) {
        if (unit.isEmpty()) {
            return 0;
        }
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equalsIgnoreCase(unit)) {
                return i;
            }
        }
        String u = unit.toUpperCase(Locale.ROOT);
        if (u.length() <= 2 && "KMGTPE".indexOf(u.charAt(0)) >= 0) {
            String iec = UNITS["KMGTPE".indexOf(u.charAt(0)) + 1];
            throw new IllegalArgumentException("'" + text + "' uses the ambiguous unit '" + unit + "'; write "
                    + iec + " for binary units (1 " + iec + " = " + (1L << (10 * ("KMGTPE".indexOf(u.charAt(0)) + 1)))
                    + " bytes)");
        }
        throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + unit
                + "'; use B, KiB, MiB, GiB, TiB or PiB");
    }

    /** Formats bytes with the largest binary unit that keeps at most two decimals, e.g. {@code 1.5 GiB}. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int exponent = Math.min((63 - Long.numberOfLeadingZeros(bytes)) / 10, UNITS.length - 1);
        double value = bytes / (double) (1L << (10 * exponent));
        String number = String.format(Locale.ROOT, "%.2f", value).replaceAll("\\.?0+$", "");
        return number + " " + UNITS[exponent];
    }

    /**
     * Exactly {@code bytes}, written as a command argument: the largest binary unit that divides it, with
     * no space, e.g. {@code 8MiB} or {@code 8389120}; {@link #parse} reads it back unchanged.
     */
    public static String argument(long bytes) {
        int exponent = 0;
        while (exponent < UNITS.length - 1 && bytes != 0 && bytes % (1L << (10 * (exponent + 1))) == 0) {
            exponent++;
        }
        return exponent == 0 ? Long.toString(bytes) : (bytes >> (10 * exponent)) + UNITS[exponent];
    }
}

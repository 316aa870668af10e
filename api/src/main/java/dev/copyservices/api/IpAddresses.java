package dev.copyservices.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IP address literals as users type them (host mapping, --node-address): IPv4 as four dotted
 * decimals, IPv6 in any RFC 4291 form, optionally in brackets. Never a name, so parsing never turns
 * into a DNS lookup, and not the legacy short IPv4 forms ("10.0.0", "10.1") InetAddress also takes,
 * which would silently stand for another address than the one meant.
 */
public final class IpAddresses {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d"
            + "|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpAddresses() {
    }

    /** The address {@code text} is a literal of, or empty when it is not one. */
    public static Optional<InetAddress> parseLiteral(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String literal = text.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        boolean shaped = IPV4.matcher(literal).matches() || (literal.contains(":") && IPV6.matcher(literal).matches());
        if (!shaped) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(literal)); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return Optional.empty(); // e.g. "1::2::3"
        }
    }
}

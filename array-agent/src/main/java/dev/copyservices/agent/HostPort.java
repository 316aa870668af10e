package dev.copyservices.agent;

import java.net.InetSocketAddress;

/** {@code HOST:PORT} or {@code [IPv6]:PORT} as given on the command line. */
record HostPort(String host, int port) {
    static HostPort parse(String option, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(option + " '" + text + "' is not HOST:PORT, e.g. 127.0.0.1:7400");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + " '" + text + "' has no valid port; use 0-65535");
        }
        return new HostPort(host, port);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

package dev.copyservices.cli;

/**
 * Where the agent listens: {@code HOST:PORT}, with IPv6 literals in brackets ({@code [::1]:7400}).
 * Checked before any connection attempt so a typo is a usage error, not a network error.
 */
record AgentAddress(String host, int port) {

    static final String DEFAULT = "127.0.0.1:7400";

    /** Parses {@code HOST:PORT}; throws {@link IllegalArgumentException} saying what is wrong. */
    static AgentAddress parse(String text) {
        String t = text == null ? "" : text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT, e.g. " + DEFAULT);
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT; write IPv6 addresses in brackets,"
                    + " e.g. [::1]:7400");
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + text + "' has no valid host; write HOST:PORT, e.g. " + DEFAULT);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has no valid port; the port is a number from 1 to 65535");
        }
        return new AgentAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

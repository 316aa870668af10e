package dev.copyservices.cli;

/**
 * Where the agent listens: {@code HOST:PORT}, with IPv6 literals in brackets ({@code [::1]:7400}).
 * Checked before any connection attempt so a typo is a usage error, not a network error.
 */
record AgentAddress(String host, int port) {

    static final String DEFAULT = "127.0.0.1:7400";

    /** Parses {@code HOST:PORT}; throws {@link IllegalArgumentException} saying what is wrong. */
    static AgentAddress parse(String text) {
        return parse(text, DEFAULT);
    }

    /**
     * Parses {@code HOST:PORT}, for an address that is not the agent's own (a mirror's peer): the errors
     * give {@code example} rather than the agent's default address, which would be the wrong port there.
     */
    static AgentAddress parse(String text, String example) {
        String t = text == null ? "" : text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT, e.g. " + example);
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT; write IPv6 addresses in brackets,"
                    + " e.g. [::1]:7400");
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + text + "' has no valid host; write HOST:PORT, e.g. " + example);
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

package dev.copyservices.csi.node;

import dev.copyservices.api.IpAddresses;
import dev.copyservices.csi.common.CsiError;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The address this node's NBD clients come from when they connect to an agent, which is what the
 * volume's attachment must name. Given with --node-address, or else found by asking the kernel
 * which local address it would use to reach the agent (a UDP socket's connect sends nothing).
 * nbdfuse runs in this process's network namespace, so the answer is the address it will use.
 */
public final class NodeAddress {
    private final Optional<String> configured;

    /** @throws IllegalArgumentException when {@code configured} is not an IP address (agents take only those) */
    public NodeAddress(Optional<String> configured) {
        configured.ifPresent(NodeAddress::requireIpLiteral);
        this.configured = configured;
    }

    private static void requireIpLiteral(String address) {
        if (IpAddresses.parseLiteral(address).isEmpty()) {
            throw new IllegalArgumentException("--node-address '" + address + "' is not an IP address; give the IPv4 or"
                    + " IPv6 address this node's NBD connections come from, e.g. 10.0.0.5");
        }
    }

    /** @param nbdEndpoint the agent's NBD endpoint, host:port (IPv6 in brackets) */
    public String toward(String nbdEndpoint) {
        if (configured.isPresent()) {
            return configured.get();
        }
        int colon = nbdEndpoint.lastIndexOf(':');
        String host = colon < 0 ? nbdEndpoint : nbdEndpoint.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = colon < 0 ? 10809 : Integer.parseInt(nbdEndpoint.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw CsiError.internal("the agent's NBD endpoint '" + nbdEndpoint + "' has no valid port", e);
        }
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(InetAddress.getByName(host), port));
            InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IOException("no local address routes to " + host);
            }
            return local.getHostAddress();
        } catch (IOException e) {
            throw new CsiError(CsiError.Code.UNAVAILABLE, "cannot tell which address this node reaches the agent's NBD"
                    + " endpoint " + nbdEndpoint + " from (" + e.getMessage() + "); give the node's address with"
                    + " --node-address", e);
        }
    }
}

package dev.copyservices.agent.volume;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.pool.catalog.HostAttachment;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.api.IpAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The seeds' host-to-volume mapping, as NBD export access: a volume lists the hosts it is attached
 * to, each with its addresses, and only an NBD client connecting from one of those addresses may
 * open the export. Addresses rather than names, because the NBD protocol carries no identity of its
 * own and an address is what the agent sees of every client.
 */
public final class HostMapping {
    /** Kubernetes node names fit; so do host names and FQDNs. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?");
    static final int MAX_ADDRESSES_PER_HOST = 16;
    static final int MAX_HOSTS_PER_VOLUME = 64;

    private HostMapping() {
    }

    /** A checked attachment: a valid host name and 1..16 distinct IP literals in canonical form. */
    static HostAttachment attachment(String host, List<String> addresses) {
        checkHost(host);
        if (addresses == null || addresses.isEmpty()) {
            throw new EngineException(Reason.INVALID_ATTACHMENT, "no address given for host '" + host + "'",
                    "give the IP address(es) the host's NBD client connects from, e.g. --address 10.0.0.5");
        }
        if (addresses.size() > MAX_ADDRESSES_PER_HOST) {
            throw new EngineException(Reason.INVALID_ATTACHMENT, addresses.size() + " addresses given for host '" + host
                    + "'", "give at most " + MAX_ADDRESSES_PER_HOST + " addresses per host");
        }
        Set<String> canonical = new LinkedHashSet<>();
        for (String address : addresses) {
            canonical.add(parse(address).getHostAddress());
        }
        return HostAttachment.newBuilder().setHost(host).addAllAddresses(canonical).build();
    }

    static void checkHost(String host) {
        if (host == null || !HOST.matcher(host).matches()) {
            throw new EngineException(Reason.INVALID_ATTACHMENT, "host name '" + host + "' is not valid",
                    "give the host's name (e.g. its Kubernetes node name): letters, digits, '.', '_' and '-',"
                            + " at most 253 characters, starting and ending with a letter or digit");
        }
    }

    private static InetAddress parse(String address) {
        return IpAddresses.parseLiteral(address).orElseThrow(() -> new EngineException(Reason.INVALID_ATTACHMENT, "'"
                + address + "' is not an IP address", "give the IPv4 or IPv6 address the host connects from (not a host"
                + " name, which could change under the mapping), e.g. 10.0.0.5 or fd00::5"));
    }

    /** The record with {@code attachment} added, or replacing the host's previous addresses. */
    static VolumeRecord attach(VolumeRecord record, HostAttachment attachment) {
        List<HostAttachment> next = new ArrayList<>();
        boolean replaced = false;
        for (HostAttachment existing : record.getAttachmentsList()) {
            if (existing.getHost().equals(attachment.getHost())) {
                next.add(attachment);
                replaced = true;
            } else {
                next.add(existing);
            }
        }
        if (!replaced) {
            if (next.size() >= MAX_HOSTS_PER_VOLUME) {
                throw new EngineException(Reason.ATTACHMENT_LIMIT_REACHED, "volume '" + record.getName() + "' is attached to "
                        + next.size() + " hosts already, the most one volume may be",
                        "detach hosts that no longer use it: csctl volume detach " + record.getName() + " --host HOST");
            }
            next.add(attachment);
        }
        return record.toBuilder().clearAttachments().addAllAttachments(next).build();
    }

    /** The record without the host's attachment; unchanged if it had none. */
    static VolumeRecord detach(VolumeRecord record, String host) {
        List<HostAttachment> next = record.getAttachmentsList().stream()
                .filter(a -> !a.getHost().equals(host)).toList();
        return record.toBuilder().clearAttachments().addAllAttachments(next).build();
    }

    /** Whether an NBD client at {@code client} may open the volume. */
    static boolean allows(VolumeRecord record, InetAddress client) {
        String address = normalize(client).getHostAddress();
        for (HostAttachment attachment : record.getAttachmentsList()) {
            if (attachment.getAddressesList().contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is the IPv4 address it is. */
    private static InetAddress normalize(InetAddress address) {
        byte[] raw = address.getAddress();
        if (raw.length == 16) {
            boolean mapped = raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = raw[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {raw[12], raw[13], raw[14], raw[15]});
                } catch (UnknownHostException e) {
                    return address; // four bytes are always a valid address
                }
            }
        }
        return address;
    }

    /** Why a client may not open the volume, with what to do about it. */
    static String refusal(VolumeRecord record, InetAddress client) {
        String address = normalize(client).getHostAddress();
        String attached = record.getAttachmentsCount() == 0 ? "is attached to no host"
                : "is not attached to a host at " + address;
        return "volume '" + record.getName() + "' " + attached + "; attach it first: csctl volume attach "
                + record.getName() + " --host HOST --address " + address;
    }
}

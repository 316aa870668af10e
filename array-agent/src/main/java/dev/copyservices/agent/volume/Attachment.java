package dev.copyservices.agent.volume;

import java.util.List;

/** A host a volume is attached to, and the addresses its NBD client may connect from. */
public record Attachment(String host, List<String> addresses) {
    public Attachment {
        addresses = List.copyOf(addresses);
    }
}

package dev.copyservices.agent.volume;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A volume as the engine reports it: catalog facts plus live figures. {@code base} names the base
 * volume of a FlashCopy and is empty for a standard volume; {@code incompleteCopy} says why the
 * content is an incomplete copy (a forced withdraw), and is empty otherwise; {@code accessRestriction}
 * says why hosts may not read or write it now (a VolumeCopy), and is empty when nothing restricts them;
 * {@code attachments} are the hosts whose NBD clients may open it.
 */
public record VolumeInfo(String name, String id, long sizeBytes, long allocatedBytes, boolean readOnly,
        Map<String, String> attributes, Instant created, int nbdConnections, VolumeKind kind, String base,
        String incompleteCopy, String accessRestriction, List<Attachment> attachments) {
    public VolumeInfo {
        attachments = List.copyOf(attachments);
    }

}

package dev.copyservices.agent.volume;

import java.time.Instant;
import java.util.Map;

/** A volume as the engine reports it: catalog facts plus live figures. */
public record VolumeInfo(String name, String id, long sizeBytes, long allocatedBytes, boolean readOnly,
        Map<String, String> attributes, Instant created, int nbdConnections) {
}

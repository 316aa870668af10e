package dev.copyservices.agent.grpc;

import com.google.protobuf.Timestamp;
import dev.copyservices.agent.array.ArrayInfo;
import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.volume.VolumeInfo;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Capacity;
import dev.copyservices.api.agent.v1.Counts;
import dev.copyservices.api.agent.v1.Limits;
import dev.copyservices.api.agent.v1.Volume;

/** Engine records to API messages; nothing else. */
final class ProtoMapper {
    private ProtoMapper() {
    }

    static Volume toProto(VolumeInfo v) {
        return Volume.newBuilder()
                .setName(v.name())
                .setId(v.id())
                .setSizeBytes(v.sizeBytes())
                .setAllocatedBytes(v.allocatedBytes())
                .setReadOnly(v.readOnly())
                .putAllAttributes(v.attributes())
                .setCreated(Timestamp.newBuilder().setSeconds(v.created().getEpochSecond())
                        .setNanos(v.created().getNano()))
                .setNbdConnections(v.nbdConnections())
                .build();
    }

    static Array toProto(ArrayInfo a) {
        ArrayLimits l = a.limits();
        return Array.newBuilder()
                .setId(a.id())
                .setName(a.name())
                .setSite(a.site())
                .setVersion(a.version())
                .setNbdEndpoint(a.nbdEndpoint())
                .setCapacity(Capacity.newBuilder()
                        .setPoolTotalBytes(a.poolTotalBytes())
                        .setPoolFreeBytes(a.poolFreeBytes())
                        .setProvisionedBytes(a.provisionedBytes())
                        .setAllocatedBytes(a.allocatedBytes()))
                .setLimits(Limits.newBuilder()
                        .setMaxVolumes(l.maxVolumes())
                        .setMaxFlashcopiesPerBase(l.maxFlashCopiesPerBase())
                        .setMaxFlashcopies(l.maxFlashCopies())
                        .setMaxCopiesInProgress(l.maxCopiesInProgress())
                        .setMaxMirrors(l.maxMirrors()))
                .setCounts(Counts.newBuilder().setVolumes(a.volumes()))
                .build();
    }
}

package dev.copyservices.csi.controller;

import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeContentSource;

/** An agent volume as a CSI volume: id, size, the array as its topology, and its content source. */
final class VolumeViews {
    private VolumeViews() {
    }

    static Volume of(String array, dev.copyservices.api.agent.v1.Volume volume) {
        Volume.Builder view = Volume.newBuilder()
                .setVolumeId(Names.id(array, volume.getName()))
                .setCapacityBytes(volume.getSizeBytes())
                .addAccessibleTopology(Topologies.of(array));
        String source = volume.getAttributesMap().getOrDefault(Names.SOURCE_ATTRIBUTE, "");
        if (source.startsWith("snapshot:")) {
            view.setContentSource(VolumeContentSource.newBuilder().setSnapshot(
                    VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(source.substring("snapshot:".length()))));
        } else if (source.startsWith("volume:")) {
            view.setContentSource(VolumeContentSource.newBuilder().setVolume(
                    VolumeContentSource.VolumeSource.newBuilder().setVolumeId(source.substring("volume:".length()))));
        }
        return view.build();
    }
}

package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A driver restart does not take staged volumes down, and the new driver process finds and undoes
 * what the old one attached: the state is in files and the kernel's mount table, not in memory.
 */
class DriverRestartIT {
    @Test
    void aRestartedDriverKeepsPublishedVolumesAndUnpublishesAndUnstagesThem() throws Exception {
        Path dir = Files.createTempDirectory("csi-restart-it");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("pool"))) {
            VolumeCapability ext4 = CsiClient.mount("ext4");
            VolumeCapability block = CsiClient.block();
            Path staging = Files.createDirectories(dir.resolve("staging"));
            Path target = dir.resolve("target");
            Path blockStaging = Files.createDirectories(dir.resolve("block-staging"));
            Path blockTarget = dir.resolve("block-target");
            Volume volume;
            Volume blockVolume;
            try (CsiDriverProcess first = CsiDriverProcess.start(dir.resolve("driver"), "restart-it",
                    agent.controlAddress())) {
                CsiClient csi = new CsiClient(first.channel());
                volume = csi.create("survives-restart", 64L << 20, ext4);
                blockVolume = csi.create("block-survives-restart", 64L << 20, block);
                csi.stage(volume.getVolumeId(), staging, ext4);
                csi.publish(volume.getVolumeId(), staging, target, ext4, false);
                csi.stage(blockVolume.getVolumeId(), blockStaging, block);
                csi.publish(blockVolume.getVolumeId(), blockStaging, blockTarget, block, true);
                Files.writeString(target.resolve("before.txt"), "written before the restart");
            }
            assertEquals("written before the restart", Files.readString(target.resolve("before.txt")),
                    "the mount outlives the driver process");
            try (CsiDriverProcess second = CsiDriverProcess.start(dir.resolve("driver"), "restart-it",
                    agent.controlAddress())) {
                CsiClient csi = new CsiClient(second.channel());
                csi.stage(volume.getVolumeId(), staging, ext4);
                csi.publish(volume.getVolumeId(), staging, target, ext4, false);
                csi.unpublish(volume.getVolumeId(), target);
                csi.unstage(volume.getVolumeId(), staging);
                csi.unpublish(blockVolume.getVolumeId(), blockTarget);
                csi.unstage(blockVolume.getVolumeId(), blockStaging);
                assertEquals(List.of(), NodeLeftovers.mountsUnder(dir));
                assertEquals(List.of(), NodeLeftovers.attachments(second.stateDir()));
                assertFalse(Files.exists(target));
                csi.delete(volume.getVolumeId());
                csi.delete(blockVolume.getVolumeId());
            }
        }
        NodeLeftovers.deleteIfNothingMounted(dir);
    }
}

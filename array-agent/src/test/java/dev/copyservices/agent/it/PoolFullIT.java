package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pool whose file system fills up (a 64 MiB ext4 on a loop device, as root, a 24 MiB file of
 * someone else's beside the pool): writes past the space fail with ENOSPC, every acknowledged write
 * survives, the agent stays up, takes writes again once that file is deleted, and after a kill -9
 * it reopens the pool with all of it.
 */
class PoolFullIT {
    private static final int MIB = 1 << 20;
    private static final int VOLUME_MIB = 48;

    private static String pattern(int mib) {
        return "0x" + Integer.toHexString(1 + mib % 250);
    }

    @Test
    void writesPastAFullPoolFailWithEnospcAndEverythingAcknowledgedSurvivesGrowthAndKill9() throws Exception {
        Path dir = Files.createTempDirectory("pool-full-it");
        Path image = dir.resolve("fs.img");
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        Tools.run("truncate", "-s", "64M", image.toString()).assertOk("truncate");
        Tools.run("mkfs.ext4", "-q", "-F", image.toString()).assertOk("mkfs.ext4");
        String device = Tools.run("losetup", "--find", "--show", image.toString()).assertOk("losetup").output().strip();
        try {
            Tools.run("mount", device, mount.toString()).assertOk("mount");
            Path ballast = mount.resolve("ballast");
            Tools.run("fallocate", "-l", "24M", ballast.toString()).assertOk("fallocate");
            try (AgentProcess agent = AgentProcess.start(mount.resolve("pool"))) {
                VolumeServiceGrpc.newBlockingStub(agent.channel()).createVolume(CreateVolumeRequest.newBuilder()
                        .setName("data").setSizeBytes((long) VOLUME_MIB * MIB).build());
                String uri = agent.nbdUri("data");
                int acknowledged = 0;
                Tools.Result refused = null;
                for (int mib = 0; mib < VOLUME_MIB; mib++) {
                    Tools.Result write = Tools.qemuIo(uri, List.of("write -P " + pattern(mib) + " " + mib + "M 1M"));
                    if (write.exitCode() != 0 || write.output().contains("failed")) {
                        refused = write;
                        break;
                    }
                    acknowledged++;
                }
                assertTrue(refused != null, "40 MiB of free space cannot hold 48 MiB of written volume");
                assertTrue(refused.output().contains("No space left on device"), refused.output());
                assertTrue(agent.process().isAlive(), "the agent stays up");
                ArrayServiceGrpc.newBlockingStub(agent.channel()).getArray(GetArrayRequest.getDefaultInstance());

                // space returns (growing the file system online needs CAP_SYS_RESOURCE, which CI may lack)
                Files.delete(ballast);
                for (int mib = acknowledged; mib < VOLUME_MIB; mib++) {
                    Tools.qemuIoOk(uri, List.of("write -P " + pattern(mib) + " " + mib + "M 1M"));
                }

                agent.kill9();
                agent.launch();
                List<String> reads = new java.util.ArrayList<>();
                for (int mib = 0; mib < VOLUME_MIB; mib++) {
                    reads.add("read -P " + pattern(mib) + " " + mib + "M 1M");
                }
                Tools.Result all = Tools.qemuIo(true, agent.nbdUri("data"), reads);
                assertEquals(0, all.exitCode(), all.output());
                assertTrue(!all.output().contains("Pattern verification failed") && !all.output().contains("failed"),
                        "every acknowledged MiB, before and after the pool filled, is there after kill -9: " + all.output());
                System.out.println("pool full after " + acknowledged + " MiB acknowledged of " + VOLUME_MIB);
            } finally {
                Tools.run("umount", mount.toString());
            }
        } finally {
            Tools.run("losetup", "-d", device);
            Files.deleteIfExists(image);
        }
    }
}

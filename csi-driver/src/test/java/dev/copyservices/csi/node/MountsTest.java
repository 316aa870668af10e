package dev.copyservices.csi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountsTest {
    @Test
    void mountInfoLinesGiveDeviceRootMountPointReadOnlyTypeAndSource() {
        List<Mounts.Mount> mounts = Mounts.parse(List.of(
                "36 25 7:0 / /var/lib/kubelet/staging\\040dir rw,relatime shared:1 - ext4 /dev/loop0 rw",
                "47 27 0:6 /loop1 /pods/p/target ro,relatime - devtmpfs devtmpfs rw,size=1k",
                "garbage"));
        assertEquals(List.of(
                new Mounts.Mount("7:0", "/", Path.of("/var/lib/kubelet/staging dir"), false, "ext4", "/dev/loop0"),
                new Mounts.Mount("0:6", "/loop1", Path.of("/pods/p/target"), true, "devtmpfs", "devtmpfs")), mounts);
    }
}

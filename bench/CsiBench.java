// The CO's side of bench/csi.sh: CSI calls over the driver's unix socket, timed here so that the
// numbers are the driver's and not a client's start-up. Run by bench/csi.sh with
// `java -cp csi-driver/target/classes:csi-driver/target/lib/* bench/CsiBench.java ...`.
//
//   CsiBench SOCKET times N DIR        N rounds of: CreateVolume (1 GiB, ext4) + NodeStage + NodePublish,
//                                      then CreateSnapshot; prints the medians in ms; cleans up each round
//   CsiBench SOCKET attach NAME DIR    creates, stages and publishes a 1 GiB ext4 volume; prints its target
//   CsiBench SOCKET detach NAME DIR    unpublishes, unstages and deletes it
import dev.copyservices.csi.v1.CapacityRange;
import dev.copyservices.csi.v1.ControllerGrpc;
import dev.copyservices.csi.v1.CreateSnapshotRequest;
import dev.copyservices.csi.v1.CreateVolumeRequest;
import dev.copyservices.csi.v1.DeleteSnapshotRequest;
import dev.copyservices.csi.v1.DeleteVolumeRequest;
import dev.copyservices.csi.v1.NodeGrpc;
import dev.copyservices.csi.v1.NodePublishVolumeRequest;
import dev.copyservices.csi.v1.NodeStageVolumeRequest;
import dev.copyservices.csi.v1.NodeUnpublishVolumeRequest;
import dev.copyservices.csi.v1.NodeUnstageVolumeRequest;
import dev.copyservices.csi.v1.VolumeCapability;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class CsiBench {
    private static final long SIZE = 1L << 30;
    private static final VolumeCapability EXT4 = VolumeCapability.newBuilder()
            .setMount(VolumeCapability.MountVolume.newBuilder().setFsType("ext4"))
            .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                    .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();

    private static ControllerGrpc.ControllerBlockingStub controller;
    private static NodeGrpc.NodeBlockingStub node;

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(args[0]))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext()
                .withOption(ChannelOption.SO_KEEPALIVE, null).build();
        controller = ControllerGrpc.newBlockingStub(channel);
        node = NodeGrpc.newBlockingStub(channel);
        try {
            switch (args[1]) {
                case "times" -> times(Integer.parseInt(args[2]), Path.of(args[3]));
                case "attach" -> System.out.println(attach(args[2], Path.of(args[3])));
                case "detach" -> detach(args[2], Path.of(args[3]));
                default -> throw new IllegalArgumentException("unknown command " + args[1]);
            }
        } finally {
            channel.shutdownNow();
            group.shutdownGracefully();
        }
    }

    private record Attached(String volumeId, Path staging, Path target) {
    }

    private static Attached attachVolume(String name, Path dir) throws Exception {
        Path staging = Files.createDirectories(dir.resolve(name + "-staging"));
        Path target = dir.resolve(name + "-target");
        String id = controller.createVolume(CreateVolumeRequest.newBuilder().setName(name)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(SIZE)).addVolumeCapabilities(EXT4).build())
                .getVolume().getVolumeId();
        node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(id).setStagingTargetPath(staging.toString())
                .setVolumeCapability(EXT4).build());
        node.nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(id)
                .setStagingTargetPath(staging.toString()).setTargetPath(target.toString()).setVolumeCapability(EXT4)
                .build());
        return new Attached(id, staging, target);
    }

    private static void detachVolume(Attached a) {
        node.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId(a.volumeId())
                .setTargetPath(a.target().toString()).build());
        node.nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId(a.volumeId())
                .setStagingTargetPath(a.staging().toString()).build());
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(a.volumeId()).build());
    }

    private static Path attach(String name, Path dir) throws Exception {
        return attachVolume(name, dir).target();
    }

    private static void detach(String name, Path dir) throws Exception {
        String id = controller.listVolumes(dev.copyservices.csi.v1.ListVolumesRequest.getDefaultInstance())
                .getEntriesList().stream().map(e -> e.getVolume().getVolumeId())
                .filter(v -> v.endsWith("/" + dev.copyservices.csi.agent.Names.volumeName(name))).findFirst()
                .orElseThrow();
        detachVolume(new Attached(id, dir.resolve(name + "-staging"), dir.resolve(name + "-target")));
    }

    private static void times(int rounds, Path dir) throws Exception {
        List<Double> attachMs = new ArrayList<>();
        List<Double> snapshotMs = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            Attached a = attachVolume("bench-" + i, dir);
            long t1 = System.nanoTime();
            String snapshot = controller.createSnapshot(CreateSnapshotRequest.newBuilder().setName("bench-snap-" + i)
                    .setSourceVolumeId(a.volumeId()).build()).getSnapshot().getSnapshotId();
            long t2 = System.nanoTime();
            attachMs.add((t1 - t0) / 1e6);
            snapshotMs.add((t2 - t1) / 1e6);
            controller.deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshot).build());
            detachVolume(a);
        }
        System.out.printf("create+stage+publish %.1f ms (median of %d; min %.1f, max %.1f)%n", median(attachMs), rounds,
                attachMs.stream().mapToDouble(d -> d).min().orElse(0), attachMs.stream().mapToDouble(d -> d).max().orElse(0));
        System.out.printf("create-snapshot %.1f ms (median of %d; min %.1f, max %.1f)%n", median(snapshotMs), rounds,
                snapshotMs.stream().mapToDouble(d -> d).min().orElse(0), snapshotMs.stream().mapToDouble(d -> d).max().orElse(0));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}

// The few MirrorService calls bench/mirror.sh needs, made over gRPC straight to an agent's control
// port, because csctl has no `mirror` commands yet. A stand-in only: once `csctl mirror` exists,
// bench/mirror.sh should call it instead and this file can go. Compiled and run by bench/mirror.sh
// (javac into its workdir, classpath = api/target/classes + cli/target/lib); output is the
// messages as JSON, as `csctl -o json` prints them, so bench/lib.sh's json_value reads it.
//
//   MirrorCtl HOST:PORT activate
//   MirrorCtl HOST:PORT create PRIMARY PEER-HOST:PORT SECONDARY SYNCHRONOUS|ASYNCHRONOUS PRIORITY MANUAL|AUTOMATIC
//   MirrorCtl HOST:PORT show VOLUME
//   MirrorCtl HOST:PORT remove VOLUME            ends the mirror on both agents (RemoveMirrors)
//   MirrorCtl HOST:PORT await VOLUME SECONDS     polls GetMirror every 0.1 s until SYNCHRONIZED with
//                                                lag_seconds 0 (nothing in flight); fails on
//                                                UNSYNCHRONIZED unless the resync method is Automatic
//   MirrorCtl HOST:PORT test VOLUME              TestCommunication (round trips to the peer)
//   MirrorCtl HOST:PORT lag VOLUME SECONDS FILE  prints "ready", then "epoch-seconds lag-seconds state"
//                                                every SECONDS until FILE exists
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import dev.copyservices.api.tls.TlsFiles;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

public final class MirrorCtl {
    private static final JsonFormat.Printer JSON = JsonFormat.printer().includingDefaultValueFields();

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: MirrorCtl HOST:PORT activate|create|show|remove|await|test|lag ...");
            System.exit(2);
        }
        ManagedChannel channel = channel(args[0]);
        int status = 0;
        try {
            status = run(MirrorServiceGrpc.newBlockingStub(channel), args);
        } catch (StatusRuntimeException e) {
            System.err.println("MirrorCtl " + args[1] + ": " + e.getStatus());
            status = 1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        System.exit(status);
    }

    /** Mutual TLS with csctl's identity (CSCTL_TLS_CERT, _KEY, _CA), as bench/mirror.sh starts its agents. */
    private static ManagedChannel channel(String target) throws Exception {
        String certificate = System.getenv("CSCTL_TLS_CERT");
        if (certificate == null) {
            return ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        }
        TlsFiles files = new TlsFiles(Path.of(certificate), Path.of(System.getenv("CSCTL_TLS_KEY")),
                Path.of(System.getenv("CSCTL_TLS_CA")));
        return Grpc.newChannelBuilder(target, files.load(TlsFiles.DEFAULT_RELOAD_INTERVAL).agentChannelCredentials())
                .build();
    }

    private static int run(MirrorServiceGrpc.MirrorServiceBlockingStub mirrors, String[] a) throws Exception {
        switch (a[1]) {
            case "activate" -> print(mirrors.activateMirroring(ActivateMirroringRequest.getDefaultInstance()));
            case "create" -> print(mirrors.createMirror(CreateMirrorRequest.newBuilder().setPrimary(a[2])
                    .setPeer(a[3]).setSecondary(a[4]).setWriteMode(WriteMode.valueOf(a[5]))
                    .setSyncPriority(CopyPriority.valueOf("COPY_PRIORITY_" + a[6].toUpperCase()))
                    .setResyncMethod(ResyncMethod.valueOf(a[7])).build()));
            case "show" -> print(mirrors.getMirror(ref(a[2])));
            case "remove" -> print(mirrors.removeMirrors(MirrorsRequest.newBuilder().addVolumes(a[2]).build()));
            case "test" -> print(mirrors.testCommunication(ref(a[2])));
            case "await" -> {
                long deadline = System.nanoTime() + (long) (Double.parseDouble(a[3]) * 1e9);
                Mirror m = mirrors.getMirror(ref(a[2]));
                while (!settled(m) && System.nanoTime() < deadline && !(m.getState() == MirrorState.UNSYNCHRONIZED
                        && m.getResyncMethod() != ResyncMethod.AUTOMATIC)) { // Manual: it stays so until resumed
                    Thread.sleep(100);
                    m = mirrors.getMirror(ref(a[2]));
                }
                print(m);
                return settled(m) ? 0 : 1;
            }
            case "lag" -> {
                long interval = (long) (Double.parseDouble(a[3]) * 1e9);
                Path stop = Path.of(a[4]);
                mirrors.getMirror(ref(a[2])); // the channel is up before the caller starts its load
                System.out.println("ready");
                System.out.flush();
                long next = System.nanoTime();
                while (!Files.exists(stop)) {
                    Mirror m = mirrors.getMirror(ref(a[2]));
                    System.out.printf("%.3f %.4f %s%n", System.currentTimeMillis() / 1000.0, m.getLagSeconds(),
                            m.getState());
                    System.out.flush();
                    next += interval;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            }
            default -> {
                System.err.println("MirrorCtl: unknown command " + a[1]);
                return 2;
            }
        }
        return 0;
    }

    private static boolean settled(Mirror m) {
        return m.getState() == MirrorState.SYNCHRONIZED && m.getLagSeconds() == 0;
    }

    private static MirrorRef ref(String volume) {
        return MirrorRef.newBuilder().setVolume(volume).build();
    }

    private static void print(MessageOrBuilder message) throws Exception {
        System.out.println(JSON.print(message));
    }
}

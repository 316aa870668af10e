package dev.copyservices.agent;

import dev.copyservices.agent.array.ArrayEngine;
import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.array.CopyServiceFigures;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.events.EventLog;
import dev.copyservices.agent.grpc.ControlServer;
import dev.copyservices.agent.grpc.ReplicationServer;
import dev.copyservices.agent.metrics.AgentMetrics;
import dev.copyservices.agent.mirror.MirrorEngine;
import dev.copyservices.agent.nbd.NbdServer;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.security.TransportSecurity;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeLifecycle;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One array agent: opens the pool, recovers the volumes, then serves the data path (NBD) and the
 * control path (gRPC). Closing reverses that and flushes every volume.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    /** What the command line decides. */
    public record Config(Path poolDir, HostPort listen, HostPort nbdListen, String name, String site,
            ArrayLimits limits, FlashCopyEngine.Options flashCopy, VolumeCopyEngine.Options volumeCopy,
            MirrorEngine.Options mirror, HostPort replicationListen, NbdServer.Options nbd,
            TransportSecurity security, HostPort metricsListen) {
        /** In-process agents of unit tests: plaintext control port (--insecure-dev). */
        public Config(Path poolDir, HostPort listen, HostPort nbdListen, String name, String site, ArrayLimits limits,
                FlashCopyEngine.Options flashCopy, VolumeCopyEngine.Options volumeCopy, MirrorEngine.Options mirror,
                HostPort replicationListen) {
            this(poolDir, listen, nbdListen, name, site, limits, flashCopy, volumeCopy, mirror, replicationListen,
                    NbdServer.Options.defaults(), TransportSecurity.insecureDev(), null);
        }

        /** Without mirroring options: no replication listener. */
        public Config(Path poolDir, HostPort listen, HostPort nbdListen, String name, String site, ArrayLimits limits,
                FlashCopyEngine.Options flashCopy, VolumeCopyEngine.Options volumeCopy) {
            this(poolDir, listen, nbdListen, name, site, limits, flashCopy, volumeCopy,
                    MirrorEngine.Options.disabledLink(), null);
        }
    }

    private final Pool pool;
    private final EventLog events;
    private final VolumeEngine volumes;
    private final FlashCopyEngine flashCopies;
    private final VolumeCopyEngine volumeCopies;
    private final MirrorEngine mirrors;
    private final ReplicationServer replication;
    private final NbdServer nbd;
    private final ControlServer control;
    private final TransportSecurity security;
    private final AgentMetrics metrics;

    private Agent(Pool pool, EventLog events, VolumeEngine volumes, FlashCopyEngine flashCopies,
            VolumeCopyEngine volumeCopies, MirrorEngine mirrors, ReplicationServer replication, NbdServer nbd,
            ControlServer control, TransportSecurity security, AgentMetrics metrics) {
        this.security = security;
        this.metrics = metrics;
        this.pool = pool;
        this.events = events;
        this.volumes = volumes;
        this.flashCopies = flashCopies;
        this.volumeCopies = volumeCopies;
        this.mirrors = mirrors;
        this.replication = replication;
        this.nbd = nbd;
        this.control = control;
    }

    public static Agent start(Config config) throws IOException {
        Pool pool = Pool.open(config.poolDir(), config.name(), config.site());
        EventLog events = null;
        VolumeEngine volumes = null;
        FlashCopyEngine flashCopies = null;
        VolumeCopyEngine volumeCopies = null;
        MirrorEngine mirrors = null;
        ReplicationServer replication = null;
        NbdServer nbd = null;
        AgentMetrics metrics = null;
        try {
            events = EventLog.open(pool.directory().eventLogFile());
            flashCopies = new FlashCopyEngine(pool, config.limits(), events, config.flashCopy());
            volumeCopies = new VolumeCopyEngine(pool, config.limits(), events, config.volumeCopy());
            mirrors = new MirrorEngine(pool, config.limits(), events, config.mirror());
            volumes = VolumeEngine.open(pool, config.limits(), VolumeLifecycle.of(flashCopies, volumeCopies, mirrors),
                    events);
            flashCopies.open(volumes);
            volumeCopies.open(volumes, flashCopies); // host restrictions are back before NBD serves
            mirrors.open(volumes, flashCopies, volumeCopies); // secondaries are read-only before NBD serves
            volumeCopies.mirrorSecondaries(mirrors::isSecondary);
            if (config.replicationListen() != null) {
                replication = new ReplicationServer(config.replicationListen().address(), config.mirror().tls(),
                        config.security().policy(), mirrors.peerSide()).start();
            }
            if (config.metricsListen() != null) {
                // before NBD serves, so that no host request goes uncounted
                metrics = AgentMetrics.start(config.metricsListen().address(), volumes, flashCopies, volumeCopies,
                        mirrors, config.security());
            }
            if (config.security().insecure()) {
                volumes.openToEveryClient(); // --insecure-dev protects nothing, exports included
            }
            nbd = new NbdServer(volumes.exports(), config.nbdListen().address(), config.nbd(),
                    config.security().nbdTls().orElse(null));
            nbd.start();
            HostPort nbdEndpoint = new HostPort(config.nbdListen().host(), nbd.port());
            ArrayEngine array = new ArrayEngine(pool, volumes, figures(flashCopies, volumeCopies, mirrors, volumes),
                    config.limits(), nbdEndpoint.toString(), enabledFeatures(config));
            ControlServer control = new ControlServer(config.listen().address(), config.security(), array, volumes,
                    flashCopies, volumeCopies, mirrors, events).start();
            // so that a reader always finds something, and a restart shows in the event stream; before
            // SERVING, so that whoever waits for SERVING finds it
            events.publish(EventSink.Severity.INFO, "AGENT_STARTED", "Array", pool.catalog().getArrayName(),
                    "agent " + ArrayEngine.version() + " started with " + volumes.count() + " volume(s)", "");
            control.markServing();
            LOG.info("array '" + pool.catalog().getArrayName() + "' (site " + pool.catalog().getSite() + ", id "
                    + pool.catalog().getArrayId() + ") ready: control " + new HostPort(config.listen().host(),
                            control.port()) + ", NBD " + nbdEndpoint + (replication == null ? "" : ", replication "
                    + new HostPort(config.replicationListen().host(), replication.port())) + (metrics == null ? ""
                    : ", metrics http://" + new HostPort(config.metricsListen().host(), metrics.port()) + "/metrics")
                    + ", pool "
                    + pool.directory().root() + ", "
                    + volumes.count() + " volume(s)");
            config.security().announce();
            return new Agent(pool, events, volumes, flashCopies, volumeCopies, mirrors, replication, nbd, control,
                    config.security(), metrics);
        } catch (IOException | RuntimeException e) {
            if (nbd != null) {
                nbd.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            closeReplication(replication);
            if (mirrors != null) {
                mirrors.close();
            }
            if (volumeCopies != null) {
                volumeCopies.close();
            }
            if (flashCopies != null) {
                flashCopies.close();
            }
            if (volumes != null) {
                volumes.close();
            }
            if (events != null) {
                events.close();
            }
            pool.close();
            config.security().close();
            throw e;
        }
    }

    private static List<String> enabledFeatures(Config config) {
        List<String> features = new ArrayList<>();
        if (config.flashCopy().enabled()) {
            features.add("flashcopy");
        }
        if (config.volumeCopy().enabled()) {
            features.add("volumecopy");
        }
        if (config.mirror().enabled()) {
            features.add("mirror");
        }
        return features;
    }

    private static Supplier<CopyServiceFigures> figures(FlashCopyEngine flashCopies, VolumeCopyEngine volumeCopies,
            MirrorEngine mirrors, VolumeEngine volumes) {
        return () -> {
            List<String> outOfCompliance = new ArrayList<>();
            if (!flashCopies.enabled() && volumes.flashCopyCount() + flashCopies.relationships().count() > 0) {
                outOfCompliance.add("flashcopy");
            }
            if (!volumeCopies.enabled() && volumeCopies.count() > 0) {
                outOfCompliance.add("volumecopy");
            }
            if (!mirrors.enabled() && mirrors.count() > 0) {
                outOfCompliance.add("mirror");
            }
            List<String> attention = new ArrayList<>(volumeCopies.needsAttention());
            attention.addAll(mirrors.needsAttention());
            return new CopyServiceFigures(flashCopies.relationships().count(), flashCopies.groups().count(),
                    volumeCopies.count(), volumeCopies.inProgress(), outOfCompliance, attention, mirrors.count());
        };
    }

    private static void closeReplication(ReplicationServer replication) {
        if (replication != null) {
            try {
                replication.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        // first: it ends the following event streams, which would otherwise hold the control server's
        // graceful shutdown until its timeout
        events.close();
        try {
            control.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nbd.close();
        if (metrics != null) {
            metrics.close();
        }
        closeReplication(replication);
        mirrors.close();
        volumeCopies.close(); // copies write to volumes: they stop before the volumes close
        flashCopies.close();
        volumes.flushAll();
        volumes.close();
        security.close();
        try {
            pool.close();
        } catch (IOException e) {
            LOG.warning("releasing the pool lock failed: " + e.getMessage());
        }
        LOG.info("agent stopped");
    }
}

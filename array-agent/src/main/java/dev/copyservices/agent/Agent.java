package dev.copyservices.agent;

import dev.copyservices.agent.array.ArrayEngine;
import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.events.EventLog;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.grpc.ControlServer;
import dev.copyservices.agent.nbd.NbdServer;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.volume.VolumeEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * One array agent: opens the pool, recovers the volumes, then serves the data path (NBD) and the
 * control path (gRPC). Closing reverses that and flushes every volume.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    /** What the command line decides. */
    public record Config(Path poolDir, HostPort listen, HostPort nbdListen, String name, String site,
            ArrayLimits limits, FlashCopyEngine.Options flashCopy) {
    }

    private final Pool pool;
    private final EventLog events;
    private final VolumeEngine volumes;
    private final FlashCopyEngine flashCopies;
    private final NbdServer nbd;
    private final ControlServer control;

    private Agent(Pool pool, EventLog events, VolumeEngine volumes, FlashCopyEngine flashCopies, NbdServer nbd,
            ControlServer control) {
        this.pool = pool;
        this.events = events;
        this.volumes = volumes;
        this.flashCopies = flashCopies;
        this.nbd = nbd;
        this.control = control;
    }

    public static Agent start(Config config) throws IOException {
        Pool pool = Pool.open(config.poolDir(), config.name(), config.site());
        EventLog events = null;
        VolumeEngine volumes = null;
        FlashCopyEngine flashCopies = null;
        NbdServer nbd = null;
        try {
            events = EventLog.open(pool.directory().eventLogFile());
            flashCopies = new FlashCopyEngine(pool, config.limits(), events, config.flashCopy());
            volumes = VolumeEngine.open(pool, config.limits(), flashCopies, events);
            flashCopies.open(volumes);
            nbd = new NbdServer(volumes, config.nbdListen().address(), NbdServer.Options.defaults());
            nbd.start();
            HostPort nbdEndpoint = new HostPort(config.nbdListen().host(), nbd.port());
            ArrayEngine array = new ArrayEngine(pool, volumes, flashCopies.relationships()::count,
                    flashCopies.groups()::count, config.limits(), nbdEndpoint.toString(),
                    config.flashCopy().enabled() ? java.util.List.of("flashcopy") : java.util.List.of());
            ControlServer control = new ControlServer(config.listen().address(), array, volumes, flashCopies, events)
                    .start();
            // so that a reader always finds something, and a restart shows in the event stream; before
            // SERVING, so that whoever waits for SERVING finds it
            events.publish(EventSink.Severity.INFO, "AGENT_STARTED", "Array", pool.catalog().getArrayName(),
                    "agent " + ArrayEngine.version() + " started with " + volumes.count() + " volume(s)", "");
            control.markServing();
            LOG.info("array '" + pool.catalog().getArrayName() + "' (site " + pool.catalog().getSite() + ", id "
                    + pool.catalog().getArrayId() + ") ready: control " + new HostPort(config.listen().host(),
                            control.port()) + ", NBD " + nbdEndpoint + ", pool " + pool.directory().root() + ", "
                    + volumes.count() + " volume(s)");
            return new Agent(pool, events, volumes, flashCopies, nbd, control);
        } catch (IOException | RuntimeException e) {
            if (nbd != null) {
                nbd.close();
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
            throw e;
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
        flashCopies.close(); // background copies write to volumes: they stop before the volumes close
        volumes.flushAll();
        volumes.close();
        try {
            pool.close();
        } catch (IOException e) {
            LOG.warning("releasing the pool lock failed: " + e.getMessage());
        }
        LOG.info("agent stopped");
    }
}

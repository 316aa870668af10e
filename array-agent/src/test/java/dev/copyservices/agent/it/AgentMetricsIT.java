package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceBlockingStub;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agents' Prometheus endpoint ({@code --metrics-listen}), scraped over HTTP while qemu-io writes
 * through NBD and a FlashCopy, a VolumeCopy and a mirror exist: the figures must be the ones the
 * workload produced, in the Prometheus text format.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentMetricsIT {
    private static final long MIB = 1 << 20;
    private static final Pattern METRICS_URL = Pattern.compile("metrics (http://127\\.0\\.0\\.1:\\d+/metrics)");

    private final HttpClient http = HttpClient.newHttpClient();
    private MirrorSites sites;

    @BeforeAll
    void startSites(@TempDir Path dir) throws Exception {
        sites = MirrorSites.start(dir, false, "--metrics-listen", "127.0.0.1:0");
        sites.activate();
    }

    @AfterAll
    void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    @Test
    void scrapeCountsHostWritesAndReadsOfAVolumeByOperationWithTheirBytes() throws Exception {
        AgentProcess a = sites.a().agent();
        VolumeCopies.createVolume(a, "io", 16 * MIB);
        // four 1 MiB writes and two 512 KiB reads: qemu-io sends each as one NBD request
        Tools.qemuIoOk(a.attachedNbdUri("io"), List.of("write -P 7 0 1M", "write -P 8 1M 1M", "write -P 9 2M 1M",
                "write -z -u 3M 1M", "read -P 7 0 512k", "read -P 8 1M 512k"));
        String text = scrape(a);
        assertEquals(3, value(text, "copyservices_volume_io_seconds_count", "operation=\"write\"", "volume=\"io\""),
                text);
        assertEquals(3 * MIB, value(text, "copyservices_volume_io_bytes_total", "operation=\"write\"", "volume=\"io\""));
        assertEquals(1, value(text, "copyservices_volume_io_seconds_count", "operation=\"write_zeroes\"",
                "volume=\"io\""));
        assertEquals(2, value(text, "copyservices_volume_io_seconds_count", "operation=\"read\"", "volume=\"io\""));
        assertEquals(MIB, value(text, "copyservices_volume_io_bytes_total", "operation=\"read\"", "volume=\"io\""));
        // every request fell in some bucket: the +Inf bucket holds them all
        assertEquals(3, value(text, "copyservices_volume_io_seconds_bucket", "operation=\"write\"", "volume=\"io\"",
                "le=\"+Inf\""));
        assertEquals(16 * MIB, value(text, "copyservices_volume_size_bytes", "volume=\"io\""));
        assertTrue(text.contains("# TYPE copyservices_volume_io_seconds histogram"), text);
        assertTrue(text.contains("# TYPE copyservices_volume_io_bytes_total counter"), text);
        assertTrue(value(text, "copyservices_tls_certificate_expiry_timestamp_seconds")
                > System.currentTimeMillis() / 1000.0, "the test PKI's certificate is valid now");
    }

    @Test
    void scrapeShowsFlashCopyRepositoryVolumeCopyProgressAndMirrorState() throws Exception {
        AgentProcess a = sites.a().agent();
        sites.createVolumes("base", 8 * MIB);
        Tools.qemuIoOk(a.attachedNbdUri("base"), List.of("write -P 1 0 8M"));
        FlashCopyServiceGrpc.newBlockingStub(a.channel()).withDeadlineAfter(60, TimeUnit.SECONDS).createFlashCopy(
                CreateFlashCopyRequest.newBuilder().setBase("base").setName("base-fc")
                        .setRepositoryCapacityBytes(8 * MIB).build());
        Tools.qemuIoOk(a.attachedNbdUri("base"), List.of("write -P 2 0 1M")); // copies 1 MiB on write
        VolumeCopies.createVolume(a, "copy", 8 * MIB);
        VolumeCopies.create(a, "base-fc", "copy", CopyPriority.COPY_PRIORITY_HIGHEST);
        VolumeCopies.awaitCompleted(a, "copy", "metrics");
        sites.createSynchronized("base", "base", CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.SYNCHRONOUS),
                "metrics");
        // a Copy-mode relationship too, whose series the dashboard charts
        VolumeCopies.createVolume(a, "pit-src", 8 * MIB);
        VolumeCopies.createVolume(a, "pit-tgt", 8 * MIB);
        FlashCopyRelationshipServiceGrpc.newBlockingStub(a.channel()).withDeadlineAfter(60, TimeUnit.SECONDS)
                .establish(EstablishRequest.newBuilder().setSource("pit-src").setTarget("pit-tgt")
                        .setOptions(CopyOptions.newBuilder().setBackgroundCopy(false).setPersistent(true)).build());

        String text = scrape(a);
        assertEquals(1, value(text, "copyservices_flashcopy_state", "flashcopy=\"base-fc\"", "state=\"optimal\""), text);
        assertEquals(0, value(text, "copyservices_flashcopy_state", "flashcopy=\"base-fc\"", "state=\"failed\""));
        assertEquals(8 * MIB, value(text, "copyservices_flashcopy_repository_capacity_bytes", "flashcopy=\"base-fc\""));
        assertTrue(value(text, "copyservices_flashcopy_repository_used_bytes", "flashcopy=\"base-fc\"") >= MIB,
                "the write copied 1 MiB of the base into the repository");
        assertEquals(0.5, value(text, "copyservices_flashcopy_repository_warning_threshold_ratio",
                "flashcopy=\"base-fc\""));
        assertEquals(1, value(text, "copyservices_volumecopy_state", "target=\"copy\"", "state=\"completed\""));
        assertEquals(8 * MIB, value(text, "copyservices_volumecopy_copied_bytes", "target=\"copy\""));
        // the pace is measured while copying; a finished copy has none
        assertEquals(0, value(text, "copyservices_volumecopy_rate_bytes_per_second", "target=\"copy\""));
        assertEquals(1, value(text, "copyservices_mirror_state", "volume=\"base\"", "role=\"primary\"",
                "state=\"synchronized\""));
        assertEquals(0, value(text, "copyservices_mirror_state", "volume=\"base\"", "state=\"unsynchronized\""));
        assertEquals(0, value(text, "copyservices_mirror_out_of_sync_bytes", "volume=\"base\""));
        assertEquals(1, value(text, "copyservices_mirror_synchronized_ratio", "volume=\"base\""));
        assertTrue(value(text, "copyservices_mirror_sent_bytes", "volume=\"base\"") >= 8 * MIB,
                "the initial copy sent the whole volume");
        // the 1 MiB write after the FlashCopy copied 64 chunks of 16 KiB (the default --cow-chunk-size) on write
        assertEquals(64, value(text, "copyservices_flashcopy_copy_on_write_chunks", "flashcopy=\"base-fc\""));
        assertTrue(value(text, "copyservices_mirror_resync_sent_bytes", "volume=\"base\"") >= 8 * MIB,
                "the initial synchronization is a resync of every region");
        // absent until the heartbeat's first exchange with the peer completes (once a second)
        String measured = text;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!measured.contains("copyservices_mirror_link_round_trip_seconds{") && System.nanoTime() < deadline) {
            Thread.sleep(100); // poll interval only; the loop's exit is the condition
            measured = scrape(a);
        }
        assertTrue(value(measured, "copyservices_mirror_link_round_trip_seconds", "volume=\"base\"") > 0,
                "the heartbeat measured the link");
        String peer = scrape(sites.b().agent());
        assertEquals(1, value(peer, "copyservices_mirror_state", "volume=\"base\"", "role=\"secondary\"",
                "state=\"synchronized\""), peer);

        // what the chart's alerts and dashboard query is what the agents serve
        Set<String> served = new java.util.TreeSet<>(sampleNames(text));
        served.addAll(sampleNames(peer));
        Path chart = Path.of("..", "helm", "copyservices");
        for (Path queries : List.of(chart.resolve("templates/prometheus-rule.yaml"),
                chart.resolve("files/copyservices-dashboard.json"))) {
            Set<String> named = new java.util.TreeSet<>();
            Matcher m = Pattern.compile("copyservices_[a-z_]+").matcher(java.nio.file.Files.readString(queries));
            while (m.find()) {
                named.add(m.group());
            }
            assertFalse(named.isEmpty(), queries + " names no metric");
            named.removeAll(served);
            assertEquals(Set.of(), named, queries + " queries metrics the agents do not serve");
        }

        // gone objects take their series with them
        sites.removeEverywhere("base", "base", "metrics");
        assertFalse(scrape(a).contains("copyservices_mirror_state{"), "a removed mirror still has series");
    }

    @Test
    void scrapeShowsACopyModeRelationshipsProgressBeforeAndAfterItsBackgroundCopy() throws Exception {
        AgentProcess a = sites.a().agent();
        VolumeCopies.createVolume(a, "rel-src", 8 * MIB);
        VolumeCopies.createVolume(a, "rel-tgt", 8 * MIB);
        FlashCopyRelationshipServiceBlockingStub relationships = FlashCopyRelationshipServiceGrpc
                .newBlockingStub(a.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
        Relationship established = relationships.establish(EstablishRequest.newBuilder().setSource("rel-src")
                .setTarget("rel-tgt").setOptions(CopyOptions.newBuilder().setBackgroundCopy(false)
                        .setPersistent(true)).build());
        long regionBytes = established.getRegionBytes();
        // a source write copies the regions it covers to the target first
        Tools.qemuIoOk(a.attachedNbdUri("rel-src"), List.of("write -P 3 0 1M"));
        long regionsWritten = (MIB + regionBytes - 1) / regionBytes;

        String text = scrape(a);
        assertEquals(1, value(text, "copyservices_flashcopy_relationship_state", "target=\"rel-tgt\"",
                "state=\"no_background_copy\""), text);
        assertEquals(regionsWritten * regionBytes, value(text, "copyservices_flashcopy_relationship_copied_bytes",
                "source=\"rel-src\"", "target=\"rel-tgt\""));
        assertEquals(established.getRegions() * regionBytes, value(text,
                "copyservices_flashcopy_relationship_size_bytes", "target=\"rel-tgt\""));

        long after = AgentEvents.lastSequence(a);
        relationships.startBackgroundCopy(RelationshipRef.newBuilder().setName("rel-tgt").build());
        if (relationships.getRelationship(RelationshipRef.newBuilder().setName("rel-tgt").build()).getState()
                != RelationshipState.RELATIONSHIP_COPIED) {
            AgentEvents.await(a, after, "BACKGROUND_COPY_COMPLETED", Set.of("rel-tgt"), "metrics");
        }
        text = scrape(a);
        assertEquals(1, value(text, "copyservices_flashcopy_relationship_state", "target=\"rel-tgt\"",
                "state=\"copied\""), text);
        assertEquals(established.getRegions() * regionBytes, value(text,
                "copyservices_flashcopy_relationship_copied_bytes", "target=\"rel-tgt\""));

        relationships.withdraw(WithdrawRequest.newBuilder().setName("rel-tgt").build());
        assertFalse(scrape(a).contains("copyservices_flashcopy_relationship_state{"),
                "a withdrawn relationship still has series");
    }

    @Test
    void onlyGetOfMetricsIsServedAndOtherRequestsSayWhere() throws Exception {
        String url = metricsUrl(sites.a().agent());
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(url.replace("/metrics", "/")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, other.statusCode());
        assertTrue(other.body().contains("/metrics"), other.body());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode());
        assertTrue(get.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                get.headers().toString());
    }

    private String scrape(AgentProcess agent) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(metricsUrl(agent))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The metric names of every sample in a scrape (histograms as their _bucket, _count and _sum). */
    private static Set<String> sampleNames(String text) {
        Set<String> names = new java.util.TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static String metricsUrl(AgentProcess agent) throws Exception {
        Matcher m = METRICS_URL.matcher(agent.log());
        assertTrue(m.find(), "the agent did not say where its metrics are");
        return m.group(1);
    }

    /** The value of the one sample of {@code name} whose labels include every one of {@code labels}. */
    private static double value(String text, String name, String... labels) {
        OptionalDouble found = OptionalDouble.empty();
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String labelPart = line.startsWith(name + "{") ? line.substring(name.length(), line.lastIndexOf('}') + 1)
                    : "";
            boolean all = true;
            for (String label : labels) {
                all &= labelPart.contains(label);
            }
            if (all) {
                assertTrue(found.isEmpty(), "more than one sample of " + name + " with " + List.of(labels) + ":\n"
                        + text);
                found = OptionalDouble.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        assertTrue(found.isPresent(), "no sample of " + name + " with " + List.of(labels) + " in:\n" + text);
        return found.getAsDouble();
    }
}

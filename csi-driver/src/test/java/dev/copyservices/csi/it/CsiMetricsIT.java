package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.csi.v1.Volume;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The driver's Prometheus endpoint ({@code --metrics-listen}): the CSI calls made to it, counted by
 * method and status code, scraped over HTTP.
 */
class CsiMetricsIT {
    private static final long SIZE = 16L << 20;
    private static final String CREATE = "csi.v1.Controller/CreateVolume";

    @Test
    void csiCallsAreCountedByMethodAndStatusCode() throws Exception {
        Path dir = Files.createTempDirectory("csi-metrics-it");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("pool"));
                CsiDriverProcess driver = CsiDriverProcess.startWithArgs(dir.resolve("driver"), "metrics-it",
                        List.of("--agent", agent.controlAddress(), "--metrics-listen", "127.0.0.1:0"))) {
            CsiClient csi = new CsiClient(driver.channel());
            Volume volume = csi.create("counted", SIZE, CsiClient.block());
            csi.create("counted", SIZE, CsiClient.block()); // the same again: idempotent, OK once more
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> csi.controller().createVolume(csi.request("negative", -1, CsiClient.block()).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            csi.delete(volume.getVolumeId());

            Matcher url = Pattern.compile("metrics (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(driver.log());
            assertTrue(url.find(), "the driver did not say where its metrics are:\n" + driver.log());
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(url.group(1))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            String text = response.body();
            assertEquals(2, count(text, CREATE, "OK"), text);
            assertEquals(1, count(text, CREATE, "INVALID_ARGUMENT"), text);
            assertEquals(1, count(text, "csi.v1.Controller/DeleteVolume", "OK"), text);
            assertTrue(text.contains("# TYPE copyservices_csi_requests_seconds histogram"), text);
        }
    }

    private static double count(String text, String method, String code) {
        for (String line : text.split("\n")) {
            if (line.startsWith("copyservices_csi_requests_seconds_count{") && line.contains("method=\"" + method + "\"")
                    && line.contains("code=\"" + code + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}

package dev.copyservices.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.kubetest.TestDirectories;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's PrometheusRule as Prometheus itself reads it: promtool parses every rule and its
 * templates, then evaluates the alerts against series written in {@code alerts/copyservices-alerts-test.yaml}
 * and compares which alerts fire, when, with which labels and summaries. So a wrong selector, label
 * or {@code for:} fails here, not in a customer's Prometheus.
 */
class AlertRulesIT {
    private static Path work;
    private static Helm helm;
    private static Path promtool;

    @BeforeAll
    static void start() throws IOException {
        work = TestDirectories.fresh(Path.of("target", "alert-rules-it")).toAbsolutePath();
        helm = Helm.fromSystemProperty(work.resolve("helm-home"));
        Path dir = Path.of(System.getProperty("promtool.bin", ".tools/promtool/bin"));
        promtool = dir.resolve("promtool");
        if (!Files.isExecutable(promtool)) {
            throw new IllegalStateException("no promtool in " + dir.toAbsolutePath()
                    + ": run bin/install-promtool, which builds it there");
        }
    }

    @Test
    void everyRuleOfTheChartParsesWithItsTemplates() throws IOException {
        Path rules = renderRules(false);
        Result checked = promtool("check", "rules", rules.toString());
        assertEquals(0, checked.exitCode(), checked.output());
        assertTrue(checked.output().contains("SUCCESS: 8 rules found"), checked.output());
    }

    @Test
    void eachAlertFiresOnItsConditionAfterItsDelayAndOnlyThen() throws IOException {
        // the descriptions are prose for a person; the test compares labels and summaries, which carry
        // the templated values (check rules above parses the descriptions' templates)
        renderRules(true);
        Path tests = work.resolve("copyservices-alerts-test.yaml");
        try (InputStream in = AlertRulesIT.class.getResourceAsStream("/alerts/copyservices-alerts-test.yaml")) {
            Files.copy(in, tests, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Result tested = promtool("test", "rules", tests.toString());
        assertEquals(0, tested.exitCode(), tested.output());
        assertTrue(tested.output().contains("SUCCESS"), tested.output());
    }

    @Test
    void aBrokenExpectationFailsTheAlertTest() throws IOException {
        // the harness itself: an alert expected at a time it cannot fire must fail promtool
        renderRules(true);
        Path tests = work.resolve("wrong-test.yaml");
        Files.writeString(tests, """
                rule_files: [copyservices-rules.yaml]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'copyservices_volumecopy_state{source="db",target="copy",state="failed"}'
                        values: '0 0 0'
                    alert_rule_test:
                      - alertname: CopyServicesVolumeCopyFailed
                        eval_time: 2m
                        exp_alerts:
                          - exp_labels: {source: db, target: copy, state: failed, severity: critical}
                """);
        Result tested = promtool("test", "rules", tests.toString());
        assertEquals(1, tested.exitCode(), tested.output());
        assertTrue(tested.output().contains("CopyServicesVolumeCopyFailed"), tested.output());
    }

    /**
     * The rule groups of the PrometheusRule the chart renders with its defaults, written as a
     * Prometheus rule file (what the Prometheus Operator hands to Prometheus).
     */
    private static Path renderRules(boolean withoutDescriptions) throws IOException {
        String yaml = helm.run("template", "copyservices", Path.of(System.getProperty("chart.dir",
                "../helm/copyservices")).toAbsolutePath().normalize().toString(), "--namespace", "copyservices",
                "--api-versions", "monitoring.coreos.com/v1", "--set", "site=site-a",
                "--set", "tls.existingSecret=agent-tls", "--set", "tls.operatorSecret=operator-tls",
                "--set", "tls.csiSecret=csi-tls").orFail();
        List<GenericKubernetesResource> found = Manifests.parse(yaml).generic("monitoring.coreos.com/v1",
                "PrometheusRule");
        assertEquals(1, found.size(), "one PrometheusRule");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) found.get(0).getAdditionalProperties().get("spec");
        if (withoutDescriptions) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> groups = (List<Map<String, Object>>) spec.get("groups");
            for (Map<String, Object> group : groups) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
                for (Map<String, Object> rule : rules) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
                    annotations.remove("description");
                }
            }
        }
        Path file = work.resolve("copyservices-rules.yaml");
        Files.writeString(file, new KubernetesSerialization().asYaml(spec));
        return file;
    }

    record Result(int exitCode, String output) {
    }

    private static Result promtool(String... args) {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile()).start();
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), out.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + promtool, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

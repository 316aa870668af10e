package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.kubetest.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** csctl against a real agent with mutual TLS: a cli-admin certificate may do all, others get the agent's refusal. */
class CsctlTlsIT {
    @TempDir
    static Path tmp;
    private static TestPki pki;
    private static AgentProcess agent;
    private static CsctlProcess csctl;

    @BeforeAll
    static void startAgent() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"), "site-a");
        List<String> args = new ArrayList<>(pki.agentArgs(pki.agent("site-a")));
        agent = AgentProcess.start(Files.createDirectories(tmp.resolve("pool")), "tls-array", "site-a", args,
                pki.identity("cli-admin", "it"), pki.caCert());
        csctl = new CsctlProcess(agent, tmp);
    }

    @AfterAll
    static void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void cliAdminCertificateMayDoEverythingAndArrayShowSaysHowTheAgentIsProtected() throws Exception {
        List<String> admin = identityArgs(pki.identity("cli-admin", "alice"));
        CsctlProcess.Run created = csctl.csctl(with(admin, "volume", "create", "tls-vol", "--size", "1MiB"));
        assertEquals(0, created.exit(), created.transcript());
        CsctlProcess.Run mirrors = csctl.csctl(with(admin, "mirror", "list"));
        assertEquals(0, mirrors.exit(), mirrors.transcript());
        CsctlProcess.Run show = csctl.csctl(with(admin, "array", "show"));
        assertEquals(0, show.exit(), show.transcript());
        assertTrue(show.out().contains("mutual TLS as O=array-agent, CN=site-a, certificate valid until"),
                show.transcript());
    }

    @Test
    void environmentVariablesCarryTheIdentityForScripts() throws Exception {
        TestPki.Identity admin = pki.identity("cli-admin", "alice");
        CsctlProcess.Run run = csctl.withEnvironment(java.util.Map.of(Csctl.TLS_CERT_ENV, admin.cert().toString(),
                Csctl.TLS_KEY_ENV, admin.key().toString(), Csctl.TLS_CA_ENV, pki.caCert().toString()),
                "--agent", agent.controlAddress(), "volume", "list");
        assertEquals(0, run.exit(), run.transcript());
    }

    @Test
    void aCsiCertificateMayNotTouchMirrorsAndIsToldWhichMay() throws Exception {
        CsctlProcess.Run run = csctl.csctl(with(identityArgs(pki.identity("csi", "node-1")), "mirror", "list"));
        assertEquals(1, run.exit(), run.transcript());
        assertTrue(run.err().contains("error: csi (O=csi, CN=node-1) may not call copyservices.agent.v1.MirrorService"),
                run.transcript());
        assertTrue(run.err().contains("hint: use a certificate whose role may"), run.transcript());
    }

    @Test
    void plaintextOrAForeignCertificateCannotReachTheAgentAndTheHintNamesTls() throws Exception {
        CsctlProcess.Run plaintext = csctl.csctl("--insecure-dev", "volume", "list");
        assertEquals(3, plaintext.exit(), plaintext.transcript());
        assertTrue(plaintext.err().contains("give --tls-cert, --tls-key and --tls-ca of your cli-admin identity"),
                plaintext.transcript());
        List<String> rogue = List.of("--tls-cert", pki.rogue().cert().toString(), "--tls-key",
                pki.rogue().key().toString(), "--tls-ca", pki.caCert().toString());
        CsctlProcess.Run foreign = csctl.csctl(with(rogue, "volume", "list"));
        assertEquals(3, foreign.exit(), foreign.transcript());
    }

    private static List<String> identityArgs(TestPki.Identity identity) {
        return pki.agentArgs(identity);
    }

    private static String[] with(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }
}

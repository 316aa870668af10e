package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Argument parsing: global options, the agent address, names, help and usage errors. */
class CommandLineTest {

    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand() {
        agent.put("a", 1024);
        FakeAgent.Result before = agent.run("-o", "json", "--timeout", "5", "volume", "list");
        FakeAgent.Result after = agent.run("volume", "list", "-o", "json", "--timeout", "5");
        assertEquals(0, before.exit(), before.err());
        assertEquals(0, after.exit(), after.err());
        assertTrue(before.out().startsWith("{"), before.out());
        assertEquals(before.out(), after.out());
    }

    @Test
    void outputFormatIsCaseInsensitiveAndDefaultsToTable() {
        agent.put("a", 1024);
        assertTrue(agent.run("-o", "JSON", "volume", "list").out().startsWith("{"));
        assertTrue(agent.run("volume", "list").out().startsWith("NAME"));
    }

    @Test
    void agentAddressDefaultsToLocalhost() {
        agent.run("volume", "list");
        assertEquals(new AgentAddress("127.0.0.1", 7400), agent.connectedTo);
    }

    @Test
    void agentAddressComesFromTheEnvironmentUnlessGiven() {
        agent.env.put("CSCTL_AGENT", "storage-1:7500");
        agent.run("volume", "list");
        assertEquals(new AgentAddress("storage-1", 7500), agent.connectedTo);

        agent.run("--agent", "[::1]:7600", "volume", "list");
        assertEquals(new AgentAddress("::1", 7600), agent.connectedTo);

        agent.run("volume", "list", "--agent", "10.0.0.2:7700");
        assertEquals(new AgentAddress("10.0.0.2", 7700), agent.connectedTo);
    }

    @Test
    void withoutACertificateOrInsecureDevNothingIsSentAndTheErrorSaysWhatToGive() {
        agent.env.remove(Csctl.INSECURE_DEV_ENV);
        FakeAgent.Result r = agent.run("volume", "list");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: no TLS identity: give --tls-cert, --tls-key and --tls-ca"), r.err());
        assertTrue(r.err().contains("--insecure-dev") && r.err().contains("CSCTL_TLS_CERT"), r.err());
        assertTrue(agent.requests.isEmpty());

        FakeAgent.Result partial = agent.run("--tls-cert", "/nonexistent/cert.pem", "volume", "list");
        assertEquals(2, partial.exit());
        assertTrue(partial.err().startsWith("error: give all three of --tls-cert, --tls-key and --tls-ca"),
                partial.err());
        FakeAgent.Result missing = agent.run("--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem",
                "--tls-ca", "/nonexistent/ca.pem", "volume", "list");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("error: TLS file /nonexistent/c.pem cannot be read"), missing.err());
        FakeAgent.Result both = agent.run("--insecure-dev", "--tls-cert", "/x", "volume", "list");
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("not both"), both.err());
        assertTrue(agent.requests.isEmpty());
        assertEquals(0, agent.run("--insecure-dev", "volume", "list").exit());
    }

    @Test
    void badAgentAddressIsAUsageError() {
        FakeAgent.Result r = agent.run("--agent", "storage-1", "volume", "list");
        assertEquals(2, r.exit());
        assertEquals("error: --agent: 'storage-1' is not HOST:PORT, e.g. 127.0.0.1:7400\nhint: see 'csctl --help'\n",
                r.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void badAgentAddressInTheEnvironmentNamesTheVariable() {
        agent.env.put("CSCTL_AGENT", "storage-1:http");
        FakeAgent.Result r = agent.run("volume", "list");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: CSCTL_AGENT: 'storage-1:http' has no valid port"), r.err());
    }

    @Test
    void namesWithSpacesAndAtSignsAreTakenLiterally() {
        agent.put("my db", 1024);
        agent.put("@home", 1024);
        assertEquals(0, agent.run("volume", "show", "my db").exit());
        assertEquals("my db", agent.last(GetVolumeRequest.class).getName());
        assertEquals(0, agent.run("volume", "show", "@home").exit());
        assertEquals("@home", agent.last(GetVolumeRequest.class).getName());
    }

    @Test
    void readOnlyOfCreateIsAFlagThatMayTakeAValue() {
        agent.run("volume", "create", "a", "--size", "1MiB");
        assertFalse(agent.last(CreateVolumeRequest.class).getReadOnly());
        agent.run("volume", "create", "b", "--size", "1MiB", "--read-only");
        assertTrue(agent.last(CreateVolumeRequest.class).getReadOnly());
        agent.run("volume", "create", "c", "--read-only", "false", "--size", "1MiB");
        assertFalse(agent.last(CreateVolumeRequest.class).getReadOnly());
        agent.run("volume", "create", "d", "--read-only=true", "--size", "1MiB");
        assertTrue(agent.last(CreateVolumeRequest.class).getReadOnly());
    }

    @Test
    void readOnlyOfSetNeedsTrueOrFalse() {
        agent.put("a", 1024);
        FakeAgent.Result missing = agent.run("volume", "set", "a", "--read-only");
        FakeAgent.Result wrong = agent.run("volume", "set", "a", "--read-only", "yes");
        assertEquals(2, missing.exit());
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().startsWith("error: Invalid value for option '--read-only': 'yes' is not a boolean"),
                wrong.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void missingCommandIsAUsageErrorListingTheChoices() {
        FakeAgent.Result top = agent.run();
        FakeAgent.Result group = agent.run("volume");
        assertEquals(2, top.exit());
        assertEquals("error: missing command: choose one of array, volume, flashcopy, flashcopy-group, volumecopy,"
                + " mirror, events, completion\nhint: see 'csctl --help'\n", top.err());
        assertEquals(2, group.exit());
        assertEquals("error: missing command: choose one of attach, create, delete, detach, list, resize, set, show\n"
                + "hint: see 'csctl volume --help'\n", group.err());
    }

    @Test
    void unknownOptionsAndMissingArgumentsAreUsageErrors() {
        FakeAgent.Result unknown = agent.run("volume", "list", "--atribute", "a=b");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("error: Unknown option"), unknown.err());
        assertTrue(unknown.err().contains("hint: ") && unknown.err().contains("see 'csctl volume list --help'"),
                unknown.err());

        FakeAgent.Result noName = agent.run("volume", "show");
        assertEquals(2, noName.exit());
        assertTrue(noName.err().startsWith("error: Missing required parameter: 'NAME'"), noName.err());

        FakeAgent.Result noSize = agent.run("volume", "create", "a");
        assertEquals(2, noSize.exit());
        assertTrue(noSize.err().contains("'--size=SIZE'"), noSize.err());
        assertTrue(agent.requests.isEmpty());
        assertEquals("", noSize.out());
    }

    @Test
    void badAttributesAreUsageErrors() {
        FakeAgent.Result noEquals = agent.run("volume", "create", "a", "--size", "1MiB", "--attribute", "app");
        FakeAgent.Result noKey = agent.run("volume", "list", "--attribute", "=db");
        assertEquals(2, noEquals.exit());
        assertTrue(noEquals.err().startsWith("error: Value for option '--attribute' (KEY=VALUE) should be in"
                + " KEY=VALUE format"), noEquals.err());
        assertEquals(2, noKey.exit());
        assertEquals("error: --attribute needs a key before '=', e.g. --attribute app=db\n"
                + "hint: see 'csctl volume list --help'\n", noKey.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void badTimeoutOrOutputAreUsageErrors() {
        assertEquals(2, agent.run("--timeout", "0", "array", "show").exit());
        assertEquals(2, agent.run("--timeout", "soon", "array", "show").exit());
        FakeAgent.Result xml = agent.run("-o", "xml", "array", "show");
        assertEquals(2, xml.exit());
        assertTrue(xml.err().contains("[table, json, yaml]"), xml.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void helpAndVersionSucceed() {
        FakeAgent.Result help = agent.run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Usage: csctl"), help.out());
        FakeAgent.Result create = agent.run("volume", "create", "--help");
        assertEquals(0, create.exit());
        assertTrue(create.out().contains("--size=SIZE"), create.out());
        assertEquals(0, agent.run("help", "volume", "set").exit());
        assertTrue(agent.run("--version").out().startsWith("csctl "));
    }
}

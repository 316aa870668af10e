package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code csctl completion}: the script, sourced by a real bash, completes commands and options. */
class CompletionCommandTest {
    private final FakeAgent agent = new FakeAgent();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        agent.close();
    }

    /** What bash's completion offers for {@code line} (the last word being typed), one per line. */
    private List<String> complete(Path script, String... words) throws IOException, InterruptedException {
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append(" '").append(word).append('\'');
        }
        String program = "source " + script + " 2>/dev/null; COMP_WORDS=(" + array + "); COMP_CWORD="
                + (words.length - 1) + "; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE};"
                + " _complete_csctl 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process bash = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes());
        assertEquals(0, bash.waitFor(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void theBashScriptCompletesCommandsSubcommandsAndOptions() throws Exception {
        FakeAgent.Result r = agent.run("completion", "bash");
        assertEquals(0, r.exit(), r.err());
        Path script = Files.writeString(dir.resolve("csctl.bash"), r.out());
        assertEquals(List.of("volume", "volumecopy"), complete(script, "csctl", "vol"));
        assertEquals(List.of("create"), complete(script, "csctl", "volume", "cr"));
        assertTrue(complete(script, "csctl", "volume", "create", "--si").contains("--size"));
        assertTrue(complete(script, "csctl", "mirror", "").containsAll(List.of("promote", "demote", "resume")));
        assertTrue(complete(script, "csctl", "-o", "").containsAll(List.of("table", "json", "yaml")),
                "the output formats are offered");
        assertTrue(agent.requests.isEmpty(), "completion needs no agent");
    }

    @Test
    void zshGetsTheSameScriptWhichTurnsOnBashcompinitItself() {
        FakeAgent.Result bash = agent.run("completion", "bash");
        FakeAgent.Result zsh = agent.run("completion", "zsh");
        assertEquals(bash.out(), zsh.out());
        assertTrue(zsh.out().contains("bashcompinit"), "zsh needs its bash compatibility layer");
    }

    @Test
    void anUnknownShellIsAUsageErrorNamingTheChoices() {
        FakeAgent.Result fish = agent.run("completion", "fish");
        assertEquals(2, fish.exit());
        assertTrue(fish.err().contains("[bash, zsh]"), fish.err());
    }
}

package io.segbuf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.ConfigProblem;
import io.segbuf.cli.replay.ReplayCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class FlagNamesTest {
  private final CommandSpec replay = new CommandLine(new ReplayCommand()).getCommandSpec();

  @Test
  void aPropertyIsNamedByTheFlagOfTheSameWords() {
    assertThat(FlagNames.flag("rootTimeout")).isEqualTo("--root-timeout");
    assertThat(FlagNames.flag("max.request.size")).isEqualTo("--max-request-size");
    assertThat(FlagNames.flag("timeout")).isEqualTo("--timeout");
  }

  @Test
  void propertiesTheCommandHasNoFlagForKeepTheirNames() {
    assertThat(FlagNames.messages(replay, List.of(new ConfigProblem("sendTimeout", "be > 0", Duration.ZERO),
        new ConfigProblem("maxFlushSegments", "be >= {sendTimeout}", 0))))
        .containsExactly("sendTimeout must be > 0 but was PT0S",
            "--max-flush-segments must be >= sendTimeout but was 0");
  }

  @Test
  void aDurationOfAFlagIsShownInSeconds() {
    assertThat(FlagNames.message(replay, new ConfigProblem("maxLifetime", "be > 0", Duration.ofMillis(-1500))))
        .isEqualTo("--max-lifetime must be > 0 but was -1.5");
  }

  @Test
  void aSegmentSizeTooSmallForTheMessageBudgetItSetsNamesTheFlagTheUserTyped() {
    StringWriter err = new StringWriter();
    CommandLine cli = Segbuf.commandLine();
    cli.setErr(new PrintWriter(err, true));

    int status = cli.execute("replay", "--max-segment-bytes", "100", "-");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("segbuf replay: --max-segment-bytes must be >= 256 (the message budget while "
        + "--max-message-bytes is unset) but was 100 (see --help)" + System.lineSeparator());
  }
}

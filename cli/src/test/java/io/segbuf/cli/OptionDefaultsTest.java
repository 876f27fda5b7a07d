package io.segbuf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SpanBufferConfig;
import io.segbuf.cli.replay.ReplayCommand;
import io.segbuf.cli.run.RunCommand;
import io.segbuf.kafka.KafkaSinkOptions;
import io.segbuf.kafka.SpanConsumerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The commands' defaults are the library's: each option's default, as picocli converts it, equals the constant of
 * the builder property it sets, and the README's table of {@code replay} options shows those defaults (the
 * operations page's table of {@code run} options is checked by {@code OperationsDocTest}).
 */
class OptionDefaultsTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| (?:`-[a-z]`, )?`(--[a-z-]+)[^`]*` \\|([^|]*)\\|", Pattern.MULTILINE);

  private static CommandSpec parsed(Object command, String... args) {
    CommandLine line = new CommandLine(command);
    line.parseArgs(args);
    return line.getCommandSpec();
  }

  private static Object value(CommandSpec spec, String flag) {
    return Objects.requireNonNull(spec.findOption(flag), flag).getValue();
  }

  private static PolicyOptions policy(CommandSpec command) {
    return (PolicyOptions) Objects.requireNonNull(command.mixins().get("policy")).userObject();
  }

  private static String lowerCase(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  @Test
  void replayBuildsTheLibrarysDefaultConfiguration() {
    CommandSpec replay = parsed(new ReplayCommand(), "-");
    SpanBufferConfig config = policy(replay).builder().build();
    SpanBufferConfig defaults = SpanBufferConfig.defaults();

    assertThat(config.flushPolicy()).isEqualTo(defaults.flushPolicy());
    assertThat(config.maxFlushSegments()).isEqualTo(defaults.maxFlushSegments());
    assertThat(config.maxBufferedBytes()).isEqualTo(defaults.maxBufferedBytes());
    assertThat(value(replay, "--chunking")).isEqualTo(SpanBufferConfig.DEFAULT_CHUNKING);
    assertThat(value(replay, "--max-message-bytes")).as("unset: follows --max-segment-bytes").isNull();
  }

  @Test
  void runDefaultsAreTheAdaptersDefaults() {
    CommandSpec run = parsed(new RunCommand());
    SpanBufferConfig config = policy(run).builder().build();

    assertThat(config.flushPolicy()).isEqualTo(SpanBufferConfig.defaults().flushPolicy());
    assertThat(value(run, "--chunking")).isEqualTo(lowerCase(SpanBufferConfig.DEFAULT_CHUNKING));
    assertThat(value(run, "--input-topic")).isEqualTo(SpanConsumerOptions.DEFAULT_TOPIC);
    assertThat(value(run, "--output-topic")).isEqualTo(KafkaSinkOptions.DEFAULT_TOPIC);
    assertThat(value(run, "--max-request-size")).isEqualTo(KafkaSinkOptions.DEFAULT_MAX_REQUEST_SIZE);
    assertThat(value(run, "--pause-above-memory-fraction"))
        .isEqualTo(SpanConsumerOptions.DEFAULT_PAUSE_ABOVE_MEMORY_FRACTION);
    assertThat(value(run, "--pause-above-buffered-bytes")).isEqualTo(SpanConsumerOptions.NO_BYTE_LIMIT);
    assertThat(value(run, "--lagging-flush-cycles")).isEqualTo(SpanConsumerOptions.DEFAULT_LAGGING_FLUSH_CYCLES);
    assertThat(value(run, "--flush-threads")).isEqualTo(SpanConsumerOptions.DEFAULT_FLUSH_THREADS);
    assertThat(value(run, "--dead-letter-topic")).isNull();
  }

  @Test
  void theReadmeTableOfReplayOptionsShowsEveryOptionWithItsDefault() throws IOException {
    Map<String, String> documented = documentedDefaults("README.md");
    CommandSpec replay = new CommandLine(new ReplayCommand()).getCommandSpec();

    assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(replay.options().stream()
        .filter(o -> !o.usageHelp() && !o.versionHelp()).map(OptionSpec::longestName).toList());
    assertDefaultsShown(documented, replay);
  }

  @Test
  void theKafkaAdapterReadmeTableOfRunOptionsShowsTheirDefaults() throws IOException {
    assertDefaultsShown(documentedDefaults("kafka-adapter/README.md"),
        new CommandLine(new RunCommand()).getCommandSpec());
  }

  /** The rows of {@code file}'s option tables: an option's first flag to its default column, without backticks. */
  private static Map<String, String> documentedDefaults(String file) throws IOException {
    Map<String, String> documented = new LinkedHashMap<>();
    Matcher row = ROW.matcher(Files.readString(Path.of("..").resolve(file)));
    while (row.find()) {
      documented.put(row.group(1), row.group(2).replace("`", "").strip());
    }
    assertThat(documented).as(file + "'s option rows").isNotEmpty();
    return documented;
  }

  /**
   * Every documented flag is an option of {@code command}, and one with a default shows it, optionally followed
   * by a note in parentheses ({@code 0 (off)}); a row that refers to another table ({@code as segbuf replay}) is
   * checked there.
   */
  private static void assertDefaultsShown(Map<String, String> documented, CommandSpec command) {
    documented.forEach((flag, cell) -> {
      OptionSpec option = command.findOption(flag);
      assertThat(option).as(flag + " is an option of " + command.name()).isNotNull();
      String defaultValue = Objects.requireNonNull(option).defaultValue();
      if (defaultValue != null && !cell.startsWith("as ")) {
        assertThat(cell).as(flag + "'s default").matches(Pattern.quote(defaultValue) + "( \\(.*\\))?");
      }
    });
  }
}

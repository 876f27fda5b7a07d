package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.Segbuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The operations page, the Dockerfile and the compose file agree with the command line: the CI cannot run
 * Docker, so this is what keeps the image's entrypoint and documented options honest.
 */
class OperationsDocTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern ROW = Pattern.compile(
      "^\\| `(--[a-z-]+)[^`]*` \\| (?:`(SEGBUF_[A-Z_]+)`|\\(none[^|]*\\)) \\|([^|]*)\\|", Pattern.MULTILINE);

  private static CommandLine run() {
    return new CommandLine(new RunCommand());
  }

  private static String read(String file) throws IOException {
    return Files.readString(ROOT.resolve(file));
  }

  /** The documented rows: flag to {environment variable or "", default column}. */
  private static Map<String, String[]> documentedOptions() throws IOException {
    Map<String, String[]> rows = new LinkedHashMap<>();
    Matcher row = ROW.matcher(read("docs/operations.md"));
    while (row.find()) {
      rows.put(row.group(1), new String[] {row.group(2) == null ? "" : row.group(2), row.group(3).strip()});
    }
    return rows;
  }

  @Test
  void everyRunOptionIsDocumentedWithItsVariableAndDefault() throws IOException {
    Map<String, String[]> documented = documentedOptions();
    List<String> flags = new ArrayList<>();
    for (OptionSpec option : run().getCommandSpec().options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      String flag = option.longestName();
      flags.add(flag);
      String[] row = documented.getOrDefault(flag, new String[] {"(missing)", "(missing)"});
      String variable = OptionSources.variable(option);
      assertThat(row[0]).as(flag + "'s variable").isEqualTo(variable == null ? "" : variable);
      String defaultValue = option.defaultValue();
      if (defaultValue != null) {
        assertThat(row[1]).as(flag + "'s default").isEqualTo("`" + defaultValue + "`");
      }
    }
    assertThat(documented.keySet()).as("documented options that do not exist").containsExactlyInAnyOrderElementsOf(
        flags);
  }

  @Test
  void theImageRunsTheShadedJarWithRunAsItsCommand() throws IOException {
    String dockerfile = read("Dockerfile");
    assertThat(read("cli/pom.xml")).contains("<finalName>segbuf</finalName>");
    assertThat(dockerfile)
        .contains("COPY --from=build /src/cli/target/segbuf.jar /app/segbuf.jar")
        .contains("ENTRYPOINT [\"sh\", \"-c\", \"exec java $JAVA_OPTS -jar /app/segbuf.jar \\\"$@\\\"\", \"segbuf\"]")
        .contains("USER 10001")
        .contains("GET /healthz");
    Matcher command = Pattern.compile("^CMD \\[\"([a-z]+)\"\\]$", Pattern.MULTILINE).matcher(dockerfile);
    assertThat(command.find()).isTrue();
    assertThat(Segbuf.commandLine().getSubcommands()).containsKey(command.group(1));
    Matcher port = Pattern.compile("SEGBUF_METRICS_PORT=(\\d+)").matcher(dockerfile);
    assertThat(port.find()).isTrue();
    assertThat(dockerfile).contains("EXPOSE " + port.group(1)).contains("/dev/tcp/127.0.0.1/" + port.group(1));
  }

  @Test
  void theComposeFileConfiguresSegbufWithVariablesTheCommandReads() throws IOException {
    String compose = read("compose.yaml");
    String service = compose.substring(compose.indexOf("\n  segbuf:"));
    Map<String, String> environment = new LinkedHashMap<>();
    Matcher variable = Pattern.compile("^ {6}(SEGBUF_[A-Z_]+): \"?([^\"\\n]*)\"?$", Pattern.MULTILINE)
        .matcher(service);
    while (variable.find()) {
      environment.put(variable.group(1), variable.group(2));
    }
    assertThat(environment).containsKeys("SEGBUF_BOOTSTRAP_SERVERS", "SEGBUF_STORE", "SEGBUF_METRICS_PORT");
    RunCommand command = new RunCommand();
    command.environment = environment;
    new CommandLine(command).parseArgs();
    List<String> problems = new ArrayList<>();
    command.resolveSources(problems);
    assertThat(problems).isEmpty();
    assertThat(command.bootstrapServers).isEqualTo("kafka:9092");
    assertThat(service).contains("command: [\"run\"]").contains("\"" + environment.get("SEGBUF_METRICS_PORT") + ":");
  }
}

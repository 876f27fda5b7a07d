package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where segbuf run's options come from, and how it fails when its dependencies are out of reach. */
class RunOptionsTest {
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private RunCommand resolved(Map<String, String> environment, String... args) {
    RunCommand command = new RunCommand();
    command.environment = environment;
    new CommandLine(command).parseArgs(args);
    List<String> problems = new ArrayList<>();
    command.resolveSources(problems);
    assertThat(problems).isEmpty();
    return command;
  }

  private int run(Map<String, String> environment, String... args) {
    RunCommand command = new RunCommand();
    command.environment = environment;
    CommandLine cli = new CommandLine(command);
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void theCommandLineWinsOverTheFileTheFileOverTheEnvironmentTheEnvironmentOverDefaults() throws IOException {
    Path config = dir.resolve("segbuf.properties");
    Files.writeString(config, "group-id=from-file\nflush-threads=2\nproducer.linger.ms=7\n");

    RunCommand command = resolved(Map.of(
        "SEGBUF_CONFIG", config.toString(),
        "SEGBUF_GROUP_ID", "from-environment",
        "SEGBUF_FLUSH_THREADS", "3",
        "SEGBUF_ROOT_TIMEOUT", "7.5",
        "SEGBUF_METRICS_PORT", "9400",
        "SEGBUF_HEALTH_FILE", "/tmp/healthy",
        "SEGBUF_LOG_FORMAT", "json"),
        "--flush-threads", "4");

    assertThat(command.flushThreads).as("command line").isEqualTo(4);
    assertThat(command.groupId).as("file").isEqualTo("from-file");
    assertThat(command.producerProperties).as("file").containsEntry("linger.ms", "7");
    assertThat(command.policy.builder().build().flushPolicy().rootTimeout()).as("environment")
        .isEqualTo(java.time.Duration.ofMillis(7500));
    assertThat(command.metricsPort).as("environment").isEqualTo(9400);
    assertThat(command.healthFile).as("environment").isEqualTo(Path.of("/tmp/healthy"));
    assertThat(command.logFormat).as("environment").isEqualTo("json");
    assertThat(command.outputTopic).as("default").isEqualTo("buffered-segments");
    assertThat(command.logLevel).as("default").isEqualTo("info");
  }

  @Test
  void aBadEnvironmentValueIsNamedByItsVariable() {
    int status = run(Map.of("SEGBUF_FLUSH_THREADS", "many", "SEGBUF_BOOTSTRAP_SERVERS", "localhost:1"));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1)
        .contains("SEGBUF_FLUSH_THREADS must be an integer but was many");
  }

  @Test
  void logOptionsTakeTheirNamedValuesOnly() {
    int status = run(Map.of(), "--bootstrap-servers", "localhost:1", "--log-level", "loud", "--log-format", "xml");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1)
        .contains("--log-level must be off, error, warn, info, debug or trace but was loud")
        .contains("--log-format must be text or json but was xml");
  }

  @Test
  void everyOptionButTheClientPropertiesHasAnEnvironmentVariable() {
    CommandLine cli = new CommandLine(new RunCommand());
    List<String> variables = new ArrayList<>();
    cli.getCommandSpec().options().forEach(o -> {
      String variable = OptionSources.variable(o);
      if (variable != null) {
        variables.add(variable);
      }
    });
    assertThat(variables).contains("SEGBUF_BOOTSTRAP_SERVERS", "SEGBUF_ROOT_TIMEOUT", "SEGBUF_CONFIG",
        "SEGBUF_MAX_REQUEST_SIZE", "SEGBUF_METRICS_HOST", "SEGBUF_LOG_LEVEL")
        .doesNotContain("SEGBUF_HELP", "SEGBUF_VERSION", "SEGBUF_PRODUCER_PROPERTY", "SEGBUF_CONSUMER_PROPERTY");
  }

  @Test
  void anUnreachableBrokerEndsTheServiceWithOneLineNamingIt() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    int status = run(Map.of(), "--bootstrap-servers", "127.0.0.1:" + closedPort, "--startup-timeout", "1",
        "--log-level", "off");
    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).hasLineCount(1)
        .startsWith("segbuf run: cannot reach Kafka at 127.0.0.1:" + closedPort + ": ")
        .endsWith(" (--startup-timeout)" + System.lineSeparator());
  }

  @Test
  void anUnreachableStoreEndsTheServiceWithOneLineNamingIt() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String store = "redis://127.0.0.1:" + closedPort;
    int status = run(Map.of(), "--bootstrap-servers", "127.0.0.1:1", "--store", store, "--startup-timeout", "1",
        "--log-level", "off");
    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).hasLineCount(1).startsWith("segbuf run: cannot open the store " + store + ": ")
        .doesNotContain("Exception");
  }
}

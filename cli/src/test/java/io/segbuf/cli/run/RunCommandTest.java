package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.Segbuf;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Segbuf.commandLine();
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "run";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  @Test
  void badOptionsAreReportedAllAtOnceInOneLine() {
    int status = run("--root-timeout", "0", "--max-request-size", "500", "--store", "redis",
        "--chunking", "best", "--group-id", " ", "--metrics-port", "70000",
        "--flush-threads", "-2");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).hasLineCount(1)
        .startsWith("segbuf run: ")
        .contains("--store must be memory, redis://host:port or redis-cluster://host:port,... but was redis")
        .contains("--chunking must be greedy or subtree but was best")
        .contains("--bootstrap-servers must be host:port[,host:port...] but was ''")
        .contains("--max-request-size must be >= ")
        .contains("--group-id must not be blank")
        .contains("--root-timeout must be > 0")
        .contains("--metrics-port must be 0 to 65535 but was 70000")
        .contains("--flush-threads must be >= 0 but was -2")
        .endsWith("(see --help)" + System.lineSeparator());
  }

  @Test
  void messageBudgetAboveWhatTheRequestSizeLeavesIsRefused() {
    int status = run("--bootstrap-servers", "localhost:1", "--max-request-size", "10000",
        "--max-message-bytes", "10000");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--max-message-bytes must be <= ")
        .contains("(what --max-request-size=10000 leaves for a value) but was 10000");
  }

  @Test
  void configFileKeysMustBeOptionNames() throws IOException {
    Path config = dir.resolve("segbuf.properties");
    Files.writeString(config, "bootstrap-servers=localhost:1\nroot-timout=5\nmax-flush-segments=many\n");
    int status = run("--config", config.toString());
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--config key must be an option name but was root-timout")
        .contains("--max-flush-segments must be an integer but was many");
  }

  @Test
  void helpListsTheServiceOptions() {
    StringWriter out = new StringWriter();
    CommandLine cli = Segbuf.commandLine();
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute("run", "--help")).isZero();
    assertThat(out.toString()).contains("--bootstrap-servers", "--input-topic", "--output-topic", "--group-id",
        "--config", "--pause-above-buffered-bytes", "--max-request-size");
  }
}

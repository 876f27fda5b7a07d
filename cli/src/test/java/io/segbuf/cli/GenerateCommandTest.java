package io.segbuf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.generate.GeneratorOptions;
import io.segbuf.cli.generate.SpanGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenerateCommandTest {

  @TempDir Path dir;

  @Test
  void generateWritesTheLibrarysSpansToTheOutputFile() throws IOException {
    Path out = dir.resolve("spans.ndjson");

    int status =
        new CommandLine(new Segbuf())
            .execute(
                "generate", "--seed", "7", "--traces", "12", "--spans-per-trace", "9", "--late",
                "0.1", "--late-seconds", "30", "--out-of-order", "0.5", "--min-span-bytes", "300",
                "--max-span-bytes", "900", "--projects", "2", "--depth", "3", "--fan-out", "4",
                "--service-entries", "0.2", "--concurrent-traces", "3", "--start-epoch-seconds",
                "1600000000", "--traces-per-second", "10", "--output", out.toString());

    assertThat(status).isZero();
    GeneratorOptions expected =
        GeneratorOptions.builder()
            .seed(7)
            .traces(12)
            .spansPerTrace(9)
            .late(0.1)
            .lateSeconds(30)
            .outOfOrder(0.5)
            .spanBytes(300, 900)
            .projects(2)
            .depth(3)
            .fanOut(4)
            .serviceEntries(0.2)
            .concurrentTraces(3)
            .startEpochSeconds(1_600_000_000L)
            .tracesPerSecond(10)
            .build();
    ByteArrayOutputStream library = new ByteArrayOutputStream();
    new SpanGenerator(expected).writeTo(library);
    assertThat(Files.readAllBytes(out)).isEqualTo(library.toByteArray());
    assertThat(Files.readAllLines(out, StandardCharsets.UTF_8)).hasSize(12 * 9);
  }

  @Test
  void defaultsMatchTheLibraryDefaults() throws IOException {
    Path out = dir.resolve("defaults.ndjson");

    int status = new CommandLine(new Segbuf()).execute("generate", "-o", out.toString());

    assertThat(status).isZero();
    ByteArrayOutputStream library = new ByteArrayOutputStream();
    new SpanGenerator(GeneratorOptions.defaults()).writeTo(library);
    assertThat(Files.readAllBytes(out)).isEqualTo(library.toByteArray());
  }

  @Test
  void noUnicodeWritesOnlyAscii() throws IOException {
    Path out = dir.resolve("ascii.ndjson");

    int status =
        new CommandLine(new Segbuf())
            .execute("generate", "--traces", "20", "--no-unicode", "--output", out.toString());

    assertThat(status).isZero();
    for (byte b : Files.readAllBytes(out)) {
      assertThat(b).isNotNegative();
    }
  }

  @Test
  void badOptionValueExitsWithStatusTwoNamingOptionAndValue() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new Segbuf()).setErr(new PrintWriter(err, true));

    int status = command.execute("generate", "--traces", "0", "-o", dir.resolve("x").toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("--traces must be >= 1 but was 0");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void everyBadOptionValueIsReportedInOneLine() {
    StringWriter err = new StringWriter();
    CommandLine command = Segbuf.commandLine().setErr(new PrintWriter(err, true));

    int status =
        command.execute(
            "generate", "--late", "1.5", "--min-span-bytes", "900", "--max-span-bytes", "800");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString().lines().toList())
        .singleElement()
        .asString()
        .startsWith("segbuf generate: ")
        .contains("--late must be between 0 and 1 but was 1.5")
        .contains("--max-span-bytes must be >= --min-span-bytes (900) but was 800");
  }

  @Test
  void unparsableOptionValueExitsWithStatusTwoNamingOptionAndValue() {
    StringWriter err = new StringWriter();
    CommandLine command = Segbuf.commandLine().setErr(new PrintWriter(err, true));

    int status = command.execute("generate", "--spans-per-trace", "many");

    assertThat(status).isEqualTo(2);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines).singleElement().asString().contains("--spans-per-trace").contains("'many'");
  }

  @Test
  void helpShowsEveryOptionWithItsDefault() {
    StringWriter help = new StringWriter();
    CommandLine command = new CommandLine(new Segbuf()).setOut(new PrintWriter(help, true));

    int status = command.execute("generate", "--help");

    assertThat(status).isZero();
    assertThat(help.toString())
        .contains(
            "--seed",
            "--traces",
            "--spans-per-trace",
            "--depth",
            "--fan-out",
            "--min-span-bytes",
            "--max-span-bytes",
            "--projects",
            "--out-of-order",
            "--late",
            "--late-seconds",
            "--service-entries",
            "--concurrent-traces",
            "--start-epoch-seconds",
            "--traces-per-second",
            "--[no-]unicode",
            "--output")
        .contains("Default: 2048", "Default: 0.05", "1700000000", "Default: true");
  }

  @Test
  void aFullDiskFailsWithOneLineNamingTheOutput() {
    StringWriter err = new StringWriter();
    CommandLine cli = Segbuf.commandLine();
    cli.setErr(new PrintWriter(err, true));
    assertThat(cli.execute("generate", "--traces", "100", "-o", "/dev/full")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(
        "segbuf generate: cannot write /dev/full: no space left on device" + System.lineSeparator());
  }

  @Test
  void aFullStandardOutputFailsWithOneLine() throws IOException {
    StringWriter err = new StringWriter();
    CommandLine cli = Segbuf.commandLine();
    cli.setErr(new PrintWriter(err, true));
    java.io.PrintStream stdout = System.out;
    try (java.io.PrintStream full =
        new java.io.PrintStream(new java.io.FileOutputStream("/dev/full"), false, StandardCharsets.UTF_8)) {
      System.setOut(full);
      assertThat(cli.execute("generate", "--traces", "100")).isEqualTo(1);
    } finally {
      System.setOut(stdout);
    }
    assertThat(err.toString()).hasLineCount(1).startsWith("segbuf generate: cannot write standard output: ");
  }

  @Test
  void withoutACommandItFailsWithTheUsageOnStandardError() {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    CommandLine cli = Segbuf.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute()).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("Usage: segbuf")
        .endsWith("segbuf: a command is required: replay, generate or run (see segbuf --help)"
            + System.lineSeparator());
  }
}

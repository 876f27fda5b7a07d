package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Drives the built jar as a user would: a process, files and pipes. */
class ReplayJarIT {
  private static final Path JAR = Path.of("target", "segbuf.jar").toAbsolutePath();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private static Result run(String shell) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; " + shell).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.MINUTES)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  private record Result(int status, String out, String err) {}

  @Test
  void jarReplaysTheExample() throws Exception {
    Result r = run(JAVA + " -jar " + JAR + " replay ../examples/spans.ndjson");
    assertThat(r.status()).isZero();
    assertThat(r.out().lines().count()).isGreaterThan(30);
    assertThat(r.err()).contains("454 lines, 451 spans, 3 invalid");
  }

  @Test
  void millionGeneratedSpansReplayWithinA512MiBHeap() throws Exception {
    Result r = run(JAVA + " -jar " + JAR + " generate --traces 50000 --spans-per-trace 20 --seed 11"
        + " --min-span-bytes 200 --max-span-bytes 1200 --late 0.01"
        + " | " + JAVA + " -Xmx512m -jar " + JAR + " replay - -o /dev/null");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.err()).contains("1,000,000 lines, 1,000,000 spans, 0 invalid");
  }

  @Test
  void aFullDiskOnStandardOutputFailsWithOneLine() throws Exception {
    for (String command : new String[] {"replay ../examples/spans.ndjson -q", "generate --traces 1000"}) {
      Result r = run(JAVA + " -jar " + JAR + " " + command + " > /dev/full");
      assertThat(r.status()).as(command).isEqualTo(1);
      assertThat(r.err()).as(command).endsWith(": cannot write standard output: the write failed (disk full, or the "
          + "reader went away)\n");
    }
  }

  @Test
  void withoutACommandTheJarExitsWithTheUsageStatus() throws Exception {
    Result r = run(JAVA + " -jar " + JAR);
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
  }
}

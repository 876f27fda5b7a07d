package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
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

  /**
   * The exact bytes replay wrote for these inputs before its loop and due queue were made faster (2026-12-01):
   * chunked segments, continuations of late spans, flush cycles cut short by {@code --max-flush-segments}, and
   * segments flushed early for {@code --max-buffered-bytes}. A change that alters any message fails here.
   */
  @Test
  void generatedSpansReplayToTheSameBytesAsTheEarlierBuild() throws Exception {
    String generate = JAVA + " -jar " + JAR + " generate --traces 5000 --spans-per-trace 20 --seed 7 --late 0.05"
        + " --out-of-order 0.3 | " + JAVA + " -jar " + JAR + " replay - -q ";
    Map<String, String> expected = Map.of(
        "--max-message-bytes 4096 --max-lifetime 30 --root-timeout 2 --timeout 5 --max-flush-segments 3",
        "388cb8311efea2b43948c1205059c6b492e93453b1d1854f9644ebcc3aa4dbc0",
        "--chunking subtree --max-message-bytes 8192 --max-buffered-bytes 2000000 --root-timeout 2",
        "78327df541d990db1fdb373655b9f3caf354f402d83a6c5c2e0c7d6237f5b9fa");
    for (Map.Entry<String, String> options : expected.entrySet()) {
      Result r = run(generate + options.getKey() + " | sha256sum");
      assertThat(r.status()).as(r.err()).isZero();
      assertThat(r.out()).as(options.getKey()).startsWith(options.getValue() + " ");
    }
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

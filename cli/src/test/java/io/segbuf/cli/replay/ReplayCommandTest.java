package io.segbuf.cli.replay;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segbuf.TestSpans;
import io.segbuf.cli.Segbuf;
import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReplayCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLE = Path.of("..", "examples", "spans.ndjson");

  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private int replay(String... args) {
    CommandLine cli = Segbuf.commandLine();
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "replay";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  private Path input(TestSpans... spans) throws IOException {
    StringBuilder b = new StringBuilder();
    for (TestSpans s : spans) {
      b.append(s.json()).append('\n');
    }
    return write(b.toString());
  }

  private Path write(String content) throws IOException {
    Path file = dir.resolve("in-" + System.identityHashCode(content) + ".ndjson");
    Files.writeString(file, content);
    return file;
  }

  private List<JsonNode> messages(Path out) throws IOException {
    List<JsonNode> messages = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      messages.add(JSON.readTree(line));
    }
    return messages;
  }

  private static List<String> spanIds(JsonNode message) {
    List<String> ids = new ArrayList<>();
    message.get("spans").forEach(s -> ids.add(s.get("span_id").asText()));
    return ids;
  }

  @Test
  void exampleReplaysWithInvalidLinesReportedByNumberAndEveryValidSpanOnce() throws IOException {
    Path out = dir.resolve("out.ndjson");
    assertThat(replay(EXAMPLE.toString(), "-o", out.toString())).isZero();

    assertThat(err.toString())
        .contains("line 40: invalid span")
        .contains("line 170: invalid span (SPAN_ID)")
        .contains("line 310: invalid span (TRACE_ID): trace_id is missing")
        .contains("454 lines, 451 spans, 3 invalid")
        .contains("1 duplicates");
    Map<String, Integer> seen = new HashMap<>();
    for (JsonNode m : messages(out)) {
      for (JsonNode s : m.get("spans")) {
        seen.merge(s.get("trace_id").asText() + s.get("span_id").asText(), 1, Integer::sum);
      }
    }
    Map<String, Integer> expected = new HashMap<>();
    for (String line : Files.readAllLines(EXAMPLE)) {
      JsonNode span;
      try {
        span = JSON.readTree(line);
      } catch (IOException notJson) {
        continue;
      }
      if (span.path("trace_id").asText().length() == 32 && span.path("span_id").asText().length() == 16) {
        expected.put(span.get("trace_id").asText() + span.get("span_id").asText(), 1);
      }
    }
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void childrenArrivingBeforeTheirParentsStillFormOneSegmentInTreeOrder() throws IOException {
    Path in = input(
        span(3).parent(2).received(100), span(2).parent(1).received(100.5), span(1).received(101));
    Path out = dir.resolve("out.ndjson");
    assertThat(replay(in.toString(), "-o", out.toString())).isZero();
    List<JsonNode> messages = messages(out);
    assertThat(messages).hasSize(1);
    assertThat(spanIds(messages.get(0)))
        .containsExactly("0000000000000001", "0000000000000002", "0000000000000003");
  }

  @Test
  void spanArrivingAfterItsSegmentIsDueFormsAContinuation() throws IOException {
    Path in = input(span(1).received(100), span(2).parent(1).received(100), span(3).parent(1).received(111));
    Path out = dir.resolve("out.ndjson");
    assertThat(replay(in.toString(), "-o", out.toString())).isZero();
    List<JsonNode> messages = messages(out);
    assertThat(messages).hasSize(2);
    assertThat(spanIds(messages.get(0))).containsExactly("0000000000000001", "0000000000000002");
    assertThat(messages.get(1).get("generation").asInt()).isEqualTo(1);
    assertThat(messages.get(1).get("segment_id").asText()).isEqualTo("0000000000000001");
    assertThat(spanIds(messages.get(1))).containsExactly("0000000000000003");
  }

  @Test
  void largeSegmentIsChunkedWithinMaxMessageBytes() throws IOException {
    List<TestSpans> spans = new ArrayList<>();
    spans.add(span(1).padding(500).received(100));
    for (int i = 2; i <= 60; i++) {
      spans.add(span(i).parent(i / 2).padding(500).received(100));
    }
    Path in = input(spans.toArray(new TestSpans[0]));
    Path out = dir.resolve("out.ndjson");
    assertThat(replay(in.toString(), "-o", out.toString(), "--max-message-bytes", "3000", "--chunking", "subtree"))
        .isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.size()).isGreaterThan(10);
    int total = 0;
    for (String line : lines) {
      assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(3000);
      JsonNode m = JSON.readTree(line);
      assertThat(m.get("skip_enrichment").asBoolean()).isTrue();
      total += m.get("spans").size();
    }
    assertThat(total).isEqualTo(60);
    assertThat(spanIds(JSON.readTree(lines.get(0)))).startsWith("0000000000000001");
    assertThat(err.toString()).contains("1 chunked");
  }

  @Test
  void identicalDuplicateLinesAreEmittedOnce() throws IOException {
    Path in = input(span(1).received(100), span(2).parent(1).received(100), span(2).parent(1).received(100));
    Path out = dir.resolve("out.ndjson");
    assertThat(replay(in.toString(), "-o", out.toString())).isZero();
    assertThat(spanIds(messages(out).get(0))).containsExactly("0000000000000001", "0000000000000002");
    assertThat(err.toString()).contains("1 duplicates");
  }

  @Test
  void readsStandardInputForADash() throws IOException {
    byte[] content = (span(1).received(100).json() + "\r\n" + span(2).parent(1).received(100).json())
        .getBytes(StandardCharsets.UTF_8);
    InputStream stdin = System.in;
    Path out = dir.resolve("out.ndjson");
    try {
      System.setIn(new ByteArrayInputStream(content));
      assertThat(replay("-", "-o", out.toString())).isZero();
    } finally {
      System.setIn(stdin);
    }
    assertThat(spanIds(messages(out).get(0))).containsExactly("0000000000000001", "0000000000000002");
  }

  @Test
  void missingInputFileExitsWithStatusOneAndOneLine() {
    assertThat(replay(dir.resolve("nope.ndjson").toString())).isEqualTo(1);
    assertThat(err.toString().strip()).startsWith("segbuf replay: cannot read").doesNotContain("\n");
  }

  @Test
  void badOptionsExitWithStatusTwoNamingEveryProblem() throws IOException {
    Path in = input(span(1));
    assertThat(replay(in.toString(), "--max-message-bytes", "12", "--timeout", "0")).isEqualTo(2);
    assertThat(err.toString())
        .contains("--timeout must be > 0 but was 0;")
        .contains("--max-message-bytes must be >= 256 but was 12");
  }

  @Test
  void aFullDiskFailsWithOneLineNamingTheOutput() throws IOException {
    assertThat(replay(input(span(1)).toString(), "-o", "/dev/full")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(
        "segbuf replay: cannot write /dev/full: no space left on device" + System.lineSeparator());
  }

  /** Messages are written on a thread of their own: a failure there, in mid-run, still ends the replay. */
  @Test
  void anOutputThatFillsUpPartWayFailsWithOneLine() throws IOException {
    List<TestSpans> spans = new ArrayList<>();
    for (int t = 0; t < 2000; t++) {
      spans.add(span(1).trace(String.format("%032x", t + 1)).received(t).padding(100));
    }
    assertThat(replay(input(spans.toArray(new TestSpans[0])).toString(), "-o", "/dev/full")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(
        "segbuf replay: cannot write /dev/full: no space left on device" + System.lineSeparator());
  }

  @Test
  void aFullStandardOutputFailsWithOneLine() throws IOException {
    PrintStream stdout = System.out;
    try (PrintStream full = new PrintStream(new FileOutputStream("/dev/full"), false, StandardCharsets.UTF_8)) {
      System.setOut(full);
      assertThat(replay(input(span(1)).toString())).isEqualTo(1);
    } finally {
      System.setOut(stdout);
    }
    assertThat(err.toString()).hasLineCount(1).startsWith("segbuf replay: cannot write standard output: ");
  }

  @Test
  void aMissingOutputDirectoryIsNamedNotTheInput() throws IOException {
    Path in = input(span(1));
    assertThat(replay(in.toString(), "-o", "/nonexistent/dir/out")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(
        "segbuf replay: cannot write /nonexistent/dir/out: no such directory: /nonexistent/dir"
            + System.lineSeparator());
  }

  @Test
  void aDirectoryAsInputIsNamed() {
    assertThat(replay(dir.toString())).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(
        "segbuf replay: cannot read " + dir + ": it is a directory" + System.lineSeparator());
  }

  @Test
  void badValuesAreToldInTheUsersWordsNotJavas() throws IOException {
    Path in = input(span(1));
    assertThat(replay(in.toString(), "--progress", "sometimes")).isEqualTo(2);
    assertThat(replay(in.toString(), "--chunking", "best")).isEqualTo(2);
    assertThat(replay(in.toString(), "--timeout", "-5", "--root-timeout", "0.25", "--max-lifetime", "-1.5"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--progress must be auto, always or never but was sometimes")
        .contains("--chunking must be greedy or subtree but was best")
        .contains("--timeout must be > 0 but was -5")
        .contains("--max-lifetime must be > 0 but was -1.5")
        .doesNotContain("enum", "PT", "ProgressMode", "ChunkingStrategy", "Invalid value");
  }

  @Test
  void unknownStoreIsRefused() throws IOException {
    assertThat(replay(input(span(1)).toString(), "--store", "cassandra://x")).isEqualTo(2);
    assertThat(err.toString()).contains("--store must be memory, redis://host:port or redis-cluster://host:port,... but was cassandra://x");
  }

  @Test
  void everySegmentDueIsFlushedBeforeTheNextSpanEvenBeyondOneFlushCycle() throws IOException {
    List<TestSpans> spans = new ArrayList<>();
    for (int t = 0; t < 5; t++) {
      spans.add(span(1).trace("0000000000000000000000000000000" + t).received(100));
    }
    for (int t = 0; t < 5; t++) {
      spans.add(span(2).parent(1).trace("0000000000000000000000000000000" + t).received(200));
    }
    Path out = dir.resolve("out.ndjson");
    assertThat(replay(input(spans.toArray(new TestSpans[0])).toString(), "-o", out.toString(),
        "--max-flush-segments", "2")).isZero();
    List<JsonNode> messages = messages(out);
    assertThat(messages).hasSize(10);
    assertThat(messages.subList(0, 5)).allSatisfy(m -> assertThat(m.get("generation").asInt()).isZero());
    assertThat(messages.subList(5, 10)).allSatisfy(m -> assertThat(m.get("generation").asInt()).isEqualTo(1));
  }
}

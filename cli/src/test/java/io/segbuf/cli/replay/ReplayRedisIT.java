package io.segbuf.cli.replay;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.TestSpans;
import io.segbuf.cli.Segbuf;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisServers;
import io.segbuf.redis.RedisStoreOptions;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segbuf replay --store redis://…} gives the same messages, in the same order, as the in-memory store, and
 * leaves in Redis every change it made without waiting for Redis (a new owner of the shard holds nothing unflushed).
 */
class ReplayRedisIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "spans.ndjson");

  private static final Pattern SPAN_ID = Pattern.compile("\"span_id\":\"([0-9a-f]{16})\"");

  @TempDir Path dir;

  private List<String> replay(String store) throws IOException {
    Path out = dir.resolve("out-" + store.hashCode() + ".ndjson");
    StringWriter err = new StringWriter();
    int status = Segbuf.commandLine().setErr(new PrintWriter(err, true))
        .execute("replay", EXAMPLE.toString(), "-o", out.toString(), "--store", store,
            "--max-message-bytes", "4096");
    assertThat(status).as(err.toString()).isZero();
    assertThat(err.toString()).contains("451 spans, 3 invalid");
    return Files.readAllLines(out);
  }

  private static Span firstSpan() throws IOException {
    for (String line : Files.readAllLines(EXAMPLE)) {
      if (Span.parse(line.getBytes(StandardCharsets.UTF_8)) instanceof Span span) {
        return span;
      }
    }
    throw new AssertionError("no valid span in " + EXAMPLE);
  }

  @Test
  void standaloneRedisGivesTheSameMessagesAsMemory() throws IOException {
    try (RedisServers redis = RedisServers.standalone()) {
      assertThat(replay(redis.uri())).isEqualTo(replay("memory")).isNotEmpty();
      try (RedisSegmentStore next = RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.uri()).build())) {
        next.acquire(0);
        assertThat(next.usage().spans()).as("spans the changelog holds unflushed").isZero();
        Span redelivered = firstSpan();
        assertThat(next.add(0, List.of(redelivered), FlushPolicy.defaults(), Instant.EPOCH).isDuplicate(0))
            .as("a flushed span the changelog remembers").isTrue();
      }
    }
  }

  @Test
  void redisClusterGivesTheSameMessagesAsMemory() throws IOException {
    try (RedisServers redis = RedisServers.cluster()) {
      String seeds = String.join(",", redis.uris()).replace("redis://", "");
      assertThat(replay("redis-cluster://" + seeds)).isEqualTo(replay("memory")).isNotEmpty();
    }
  }

  /**
   * A replay killed after its store sent Redis the completion of a message the output still buffered, and started
   * again on the same Redis: the new run finds that message's spans flushed (duplicates) and writes them no more, so
   * they must be in what the killed run wrote.
   */
  @Test
  void aReplayKilledAndStartedAgainWritesEverySpanInOneOfItsOutputs() throws IOException {
    TestSpans a = span(1).trace("11111111111111111111111111111111").received(1_700_000_000);
    TestSpans b = span(3).parent(2).trace("22222222222222222222222222222222").received(1_700_000_100)
        .padding(300_000);
    TestSpans c = span(4).trace("33333333333333333333333333333333").received(1_700_000_150);
    Path input = dir.resolve("in.ndjson");
    Files.write(input, List.of(a.json(), b.json(), c.json()));
    try (RedisServers redis = RedisServers.standalone()) {
      // the killed run, as segbuf replay runs it, up to the kill: a's segment is due once b's line moves now on, so
      // it is written and completed; adding b's 300 KB sends what the store gathered, a's completion included
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      try (RedisSegmentStore store = RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.uri()).build())) {
        SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.defaults(), store.unacknowledged(),
            OutputSink.over(redis.uri(), new BufferedOutputStream(written, 1 << 16)));
        buffer.offerSpans(0, List.of(a.parsed()), Instant.ofEpochSecond(1_700_000_000));
        assertThat(buffer.flush(0, Instant.ofEpochSecond(1_700_000_100)).segments()).isOne();
        buffer.offerSpans(0, List.of(b.parsed()), Instant.ofEpochSecond(1_700_000_100));
        store.sync(); // Redis answered what was sent before the kill; nothing was left to send
      } // killed: what the output stream buffered is gone
      Path again = dir.resolve("again.ndjson");
      StringWriter err = new StringWriter();
      int status = Segbuf.commandLine().setErr(new PrintWriter(err, true))
          .execute("replay", input.toString(), "-o", again.toString(), "--store", redis.uri());
      assertThat(status).as(err.toString()).isZero();
      Set<String> out = new TreeSet<>();
      Matcher spanIds = SPAN_ID.matcher(written.toString(StandardCharsets.UTF_8) + Files.readString(again));
      while (spanIds.find()) {
        out.add(spanIds.group(1));
      }
      assertThat(out).as("span ids in the killed run's output and the next one's")
          .containsExactly("0000000000000001", "0000000000000003", "0000000000000004");
    }
  }
}

package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.cli.Segbuf;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisServers;
import io.segbuf.redis.RedisStoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segbuf replay --store redis://…} gives the same messages, in the same order, as the in-memory store, and
 * leaves in Redis every change it made without waiting for Redis (a new owner of the shard holds nothing unflushed).
 */
class ReplayRedisIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "spans.ndjson");

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
}

package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.Segbuf;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisServers;
import io.segbuf.redis.RedisStoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void standaloneRedisGivesTheSameMessagesAsMemory() throws IOException {
    try (RedisServers redis = RedisServers.standalone()) {
      assertThat(replay(redis.uri())).isEqualTo(replay("memory")).isNotEmpty();
      String log = "{segbuf:0}:log:" + redis.cli("GET", "{segbuf:0}:epoch").strip();
      assertThat(Long.parseLong(redis.cli("LLEN", log).strip())).as("records in the changelog").isGreaterThan(1);
      try (RedisSegmentStore next = RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redis.uri()).build())) {
        next.acquire(0);
        assertThat(next.usage().spans()).as("spans the changelog holds unflushed").isZero();
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

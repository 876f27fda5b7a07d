package io.segbuf.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.Segbuf;
import io.segbuf.redis.RedisServers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segbuf replay --store redis://…} gives the same messages as the in-memory store. */
class ReplayRedisIT {
  private static final Path EXAMPLE = Path.of("..", "examples", "spans.ndjson");

  @TempDir Path dir;

  private Set<String> replay(String store) throws IOException {
    Path out = dir.resolve("out-" + store.hashCode() + ".ndjson");
    StringWriter err = new StringWriter();
    int status = Segbuf.commandLine().setErr(new PrintWriter(err, true))
        .execute("replay", EXAMPLE.toString(), "-o", out.toString(), "--store", store,
            "--max-message-bytes", "4096");
    assertThat(status).as(err.toString()).isZero();
    assertThat(err.toString()).contains("451 spans, 3 invalid");
    return new HashSet<>(Files.readAllLines(out));
  }

  @Test
  void standaloneRedisGivesTheSameMessagesAsMemory() throws IOException {
    try (RedisServers redis = RedisServers.standalone()) {
      assertThat(replay(redis.uri())).isEqualTo(replay("memory")).isNotEmpty();
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

package io.segbuf.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segbuf.ConfigException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisStoreOptionsTest {

  @Test
  void defaultsAreValid() {
    RedisStoreOptions options = RedisStoreOptions.builder().build();
    assertThat(options.uris()).containsExactly(RedisStoreOptions.DEFAULT_URI);
    assertThat(options.keyTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(options.compression()).isFalse();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> RedisStoreOptions.builder()
            .uris(List.of("redis://a:1", "http://b:2"))
            .commandTimeout(Duration.ZERO)
            .pipelineSize(0)
            .keyPrefix("a{b}")
            .keyTtl(Duration.ofMillis(10))
            .flushedTraceRetention(Duration.ZERO)
            .compressionLevel(30)
            .compressionMinBytes(-1)
            .maxUncompressedSpanBytes(12)
            .build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "uri must start with redis:// or rediss:// but was http://b:2",
            "uris must hold one URI unless cluster=true but was 2 URIs",
            "commandTimeout must be > 0 but was PT0S",
            "pipelineSize must be in [1, 100000] but was 0",
            "keyPrefix must be 1 to 64 of [A-Za-z0-9_.:-] but was \"a{b}\"",
            "keyTtl must be >= 1s but was PT0.01S",
            "flushedTraceRetention must be >= 1s but was PT0S",
            "compressionLevel must be in [1, 19] but was 30",
            "compressionMinBytes must be >= 0 but was -1",
            "maxUncompressedSpanBytes must be >= 1024 but was 12"));
  }

  @Test
  void toBuilderKeepsEveryOption() {
    RedisStoreOptions options = RedisStoreOptions.builder().uris(List.of("rediss://u:p@h:1", "redis://h:2"))
        .cluster(true).commandTimeout(Duration.ofSeconds(3)).pipelineSize(7).keyPrefix("x").keyTtl(Duration.ofHours(2))
        .flushedTraceRetention(Duration.ofMinutes(1)).compression(true).compressionLevel(5).compressionMinBytes(9)
        .maxUncompressedSpanBytes(4096).build();
    RedisStoreOptions copy = options.toBuilder().build();
    assertThat(copy.toString()).isEqualTo(options.toString()).doesNotContain("u:p");
    assertThat(copy.compressionLevel()).isEqualTo(5);
    assertThat(copy.compressionMinBytes()).isEqualTo(9);
    assertThat(copy.maxUncompressedSpanBytes()).isEqualTo(4096);
    assertThat(options.toBuilder().keyPrefix("y").build().keyPrefix()).isEqualTo("y");
  }
}

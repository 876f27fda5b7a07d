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
    assertThat(options.recentlyFlushedSpans()).isEqualTo(RedisStoreOptions.DEFAULT_RECENTLY_FLUSHED_SPANS);
    assertThat(options.cluster()).isFalse();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> RedisStoreOptions.builder()
            .uris(List.of("redis://a:1", "http://b:2"))
            .commandTimeout(Duration.ZERO)
            .keyPrefix("a{b}")
            .recentlyFlushedSpans(-1)
            .compactionBytes(12)
            .build())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.messages()).containsExactlyInAnyOrder(
            "uri must start with redis:// or rediss:// but was http://b:2",
            "uris must hold one URI unless cluster=true but was 2 URIs",
            "commandTimeout must be > 0 but was PT0S",
            "keyPrefix must be 1 to 64 of [A-Za-z0-9_.:-] but was \"a{b}\"",
            "recentlyFlushedSpans must be >= 0 but was -1",
            "compactionBytes must be >= 1024 but was 12"));
  }

  @Test
  void toBuilderKeepsEveryOption() {
    RedisStoreOptions options = RedisStoreOptions.builder().uris(List.of("rediss://u:p@h:1", "redis://h:2"))
        .cluster(true).commandTimeout(Duration.ofSeconds(3)).keyPrefix("x").recentlyFlushedSpans(7)
        .compactionBytes(4096).build();
    RedisStoreOptions copy = options.toBuilder().build();
    assertThat(copy.toString()).isEqualTo(options.toString()).doesNotContain("u:p");
    assertThat(copy.recentlyFlushedSpans()).isEqualTo(7);
    assertThat(copy.compactionBytes()).isEqualTo(4096);
    assertThat(copy.cluster()).isTrue();
    assertThat(copy.toString()).isEqualTo("RedisStoreOptions{uris=[rediss://***@h:1, redis://h:2], cluster=true,"
        + " commandTimeout=PT3S, keyPrefix=x, recentlyFlushedSpans=7, compactionBytes=4096}");
    assertThat(options.toBuilder().keyPrefix("y").build().keyPrefix()).isEqualTo("y");
  }
}

package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The key names a shard's data lives under: read by operators and by the takeover script, so they are fixed. */
class ShardKeysTest {
  private final ShardKeys keys = new ShardKeys("segbuf");

  @Test
  void everyKeyOfAShardIsInTheHashSlotOfPrefixAndShard() {
    assertThat(text(keys.epoch(7))).isEqualTo("{segbuf:7}:epoch");
    assertThat(text(keys.log(7, 12))).isEqualTo("{segbuf:7}:log:12");
    assertThat(text(keys.logWithoutEpoch(7))).isEqualTo("{segbuf:7}:log:");
  }

  private static String text(byte[] key) {
    return new String(key, StandardCharsets.US_ASCII);
  }
}

package io.segbuf.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.DefaultsTable;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The module README's table of options shows the constants that {@link RedisStoreOptions} uses. */
class RedisStoreOptionsDocTest {

  @Test
  void theOptionsTableShowsTheDefaults() throws IOException {
    DefaultsTable table = DefaultsTable.read("redis-adapter/README.md", "## Options");
    RedisStoreOptions defaults = RedisStoreOptions.builder().build();

    assertThat(table.text("uri / uris / hostAndPort")).isEqualTo(RedisStoreOptions.DEFAULT_URI);
    assertThat(defaults.uris()).containsExactly(RedisStoreOptions.DEFAULT_URI);
    assertThat(table.text("cluster")).isEqualTo(String.valueOf(defaults.cluster()));
    assertThat(table.duration("commandTimeout")).isEqualTo(RedisStoreOptions.DEFAULT_COMMAND_TIMEOUT)
        .isEqualTo(defaults.commandTimeout());
    assertThat(table.text("keyPrefix")).isEqualTo(RedisStoreOptions.DEFAULT_KEY_PREFIX)
        .isEqualTo(defaults.keyPrefix());
    assertThat(table.number("recentlyFlushedSpans")).isEqualTo(RedisStoreOptions.DEFAULT_RECENTLY_FLUSHED_SPANS)
        .isEqualTo(defaults.recentlyFlushedSpans());
    assertThat(table.number("compactionBytes")).isEqualTo(RedisStoreOptions.DEFAULT_COMPACTION_BYTES)
        .isEqualTo(defaults.compactionBytes());
  }
}

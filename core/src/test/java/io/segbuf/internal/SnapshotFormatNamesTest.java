package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.FlushReason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A store snapshot writes a segment's {@link FlushReason} by its name, never by its ordinal, so constants may be
 * reordered or added; the names are part of snapshot format 1, and renaming one would make stored snapshots
 * unreadable.
 */
class SnapshotFormatNamesTest {

  @Test
  void theFlushReasonNamesThatSnapshotsStoreAreKept() {
    assertThat(Arrays.stream(FlushReason.values()).map(Enum::name)).contains(
        "ROOT_TIMEOUT", "IDLE_TIMEOUT", "MAX_LIFETIME", "SIZE", "BUFFER_FULL", "SHUTDOWN");
  }
}

package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SegmentKey;
import io.segbuf.TraceId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ids chosen to collide under the fixed, unseeded hashes this code once used spread like random ones now: the
 * hashes are seeded per process and fully mixed. Checked by where the ids land, not by timing.
 */
class ChosenIdsTest {
  private static final long GOLDEN = 0x9e3779b97f4a7c15L;
  private static final int IDS = 10_000;

  /** The inverse of {@link #GOLDEN} modulo 2^64 (Newton's iteration): {@code j * INVERSE * GOLDEN == j}. */
  private static final long INVERSE = inverse(GOLDEN);

  private static long inverse(long odd) {
    long x = odd;
    for (int i = 0; i < 6; i++) {
      x *= 2 - odd * x;
    }
    return x;
  }

  @Test
  void spanIdsThatSharedOneSlotSpreadOverTheMap() {
    assertThat(INVERSE * GOLDEN).isEqualTo(1);
    LongMap<Object> map = new LongMap<>();
    for (long j = 1; j <= IDS; j++) {
      map.put(j * INVERSE, "span"); // the old slot, (id * GOLDEN) >>> 40, was 0 for every one of them
    }
    assertThat(map.size()).isEqualTo(IDS);
    // Random keys at most half full: the longest probe is a few dozen slots; one shared slot made it IDS - 1.
    assertThat(map.longestProbe()).isLessThan(100);
  }

  @Test
  void traceKeysThatSharedOneHashCodeSpreadOverTheBins() {
    int[] bins = new int[1 << 14];
    for (long low = 1; low <= IDS; low++) {
      TraceKey key = new TraceKey(1, -low * GOLDEN, low); // the old hashCode was 0 for every one of them
      bins[bin(key.hashCode(), bins.length)]++;
    }
    assertThat(max(bins)).as("keys in the fullest of %d bins", bins.length).isLessThan(12);
    assertThat(new TraceKey(1, 2, 3)).isInstanceOf(Comparable.class); // a HashMap bin of them becomes a tree
  }

  @Test
  void traceIdsAndSegmentKeysThatSharedOneHashCodeSpreadOverTheBins() {
    int[] traceBins = new int[1 << 14];
    int[] segmentBins = new int[1 << 14];
    for (long j = 1; j <= IDS; j++) {
      // A record's hashCode is 31 * h(high) + h(low), with Long.hashCode(x) = (int) (x ^ x >>> 32): both were
      // the same for every one of these.
      TraceId trace = new TraceId(j, 31 * (IDS - j));
      traceBins[bin(trace.hashCode(), traceBins.length)]++;
      segmentBins[bin(new SegmentKey(1, new TraceId(0, 0), j << 32 | j).hashCode(), segmentBins.length)]++;
    }
    assertThat(max(traceBins)).isLessThan(12);
    assertThat(max(segmentBins)).isLessThan(12);
  }

  @Test
  void comparableKeysOrderByEveryField() {
    Map<Integer, Integer> signs = new HashMap<>();
    TraceId a = new TraceId(1, 2);
    signs.put(0, Integer.signum(new SegmentKey(1, a, 5).compareTo(new SegmentKey(1, a, 6))));
    signs.put(1, Integer.signum(new SegmentKey(2, a, 5).compareTo(new SegmentKey(1, a, 6))));
    signs.put(2, Integer.signum(new SegmentKey(1, new TraceId(1, 3), 5).compareTo(new SegmentKey(1, a, 6))));
    signs.put(3, Integer.signum(new TraceKey(1, 1, 2).compareTo(new TraceKey(1, 1, 3))));
    signs.put(4, Integer.signum(new TraceKey(1, 1, -1).compareTo(new TraceKey(1, 1, 3)))); // unsigned, as in hex
    assertThat(signs).isEqualTo(Map.of(0, -1, 1, 1, 2, 1, 3, -1, 4, 1));
  }

  /** The bin a {@link HashMap} of {@code bins} bins puts a hash code in. */
  private static int bin(int hashCode, int bins) {
    return (hashCode ^ (hashCode >>> 16)) & (bins - 1);
  }

  private static int max(int[] counts) {
    int max = 0;
    for (int c : counts) {
      max = Math.max(max, c);
    }
    return max;
  }
}

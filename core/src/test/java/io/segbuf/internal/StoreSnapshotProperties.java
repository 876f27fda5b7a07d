package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SnapshotStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A store restored from a snapshot answers every later call as the store that wrote it: replaying a snapshot and
 * the tail of a history equals replaying the whole history. Histories are random: trees with missing parents,
 * explicit segment ids, cycles, same-id spans and redeliveries over four traces and two shards, with time moving,
 * flushes (some left sealed, some chunked), continuations and idle traces forgotten.
 */
class StoreSnapshotProperties {
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final FlushPolicy POLICY =
      new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(200), 3_000);
  private static final int RECENTLY_FLUSHED = 30;

  @Test
  void snapshotPlusTailEqualsTheWholeHistory() {
    qt().withExamples(400)
        .forAll(longs().all(), integers().between(0, 100))
        .checkAssert((seed, splitPercent) -> {
          List<Step> history = history(new Random(seed));
          int split = history.size() * splitPercent / 100;

          SnapshotStore whole = SnapshotStore.create(RECENTLY_FLUSHED);
          List<String> wholeTail = new ArrayList<>();
          for (int i = 0; i < history.size(); i++) {
            List<String> out = history.get(i).run(whole);
            if (i >= split) {
              wholeTail.addAll(out);
            }
          }
          wholeTail.add(whole.usage().toString());

          SnapshotStore head = SnapshotStore.create(RECENTLY_FLUSHED);
          history.subList(0, split).forEach(step -> step.run(head));
          SnapshotStore restored = SnapshotStore.restore(head.snapshot(), RECENTLY_FLUSHED);
          List<String> restoredTail = new ArrayList<>();
          history.subList(split, history.size()).forEach(step -> restoredTail.addAll(step.run(restored)));
          restoredTail.add(restored.usage().toString());

          assertThat(restoredTail).isEqualTo(wholeTail);
        });
  }

  /**
   * The size a store tells without writing its snapshot is the snapshot's length after every step, in a store that
   * forgets flushed spans of a trace past 8 (and idle traces past 30) and in one restored from a snapshot.
   */
  @Test
  void snapshotBytesIsTheSnapshotsLengthAfterEveryStep() {
    qt().withExamples(200)
        .forAll(longs().all(), integers().between(0, 100))
        .checkAssert((seed, splitPercent) -> {
          List<Step> history = history(new Random(seed));
          int split = history.size() * splitPercent / 100;
          SnapshotStore store = new InMemorySegmentStore(RECENTLY_FLUSHED, 8);
          for (int i = 0; i < history.size(); i++) {
            if (i == split) {
              store = SnapshotStore.restore(store.snapshot(), RECENTLY_FLUSHED);
            }
            history.get(i).run(store);
            assertThat(store.snapshotBytes()).as("after step %d", i).isEqualTo(store.snapshot().length);
          }
        });
  }

  @Test
  void bytesThatAreNotASnapshotAreRefused() {
    SnapshotStore store = SnapshotStore.create(RECENTLY_FLUSHED);
    store.add(0, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
    byte[] snapshot = store.snapshot();
    assertThatThrownBy(() -> SnapshotStore.restore(Arrays.copyOf(snapshot, snapshot.length - 3),
        RECENTLY_FLUSHED)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    byte[] newer = snapshot.clone();
    newer[3] = 9;
    assertThatThrownBy(() -> SnapshotStore.restore(newer, RECENTLY_FLUSHED))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("snapshot version must be 1 but was 9");
  }

  /**
   * Bytes that are not a snapshot this version wrote (a valid one truncated, with bytes flipped, with a length or index
   * set to an extreme value, or with a piece of itself spliced in) are restored or refused with an {@link
   * IllegalArgumentException}, never another exception or error: a declared length is checked against the bytes left
   * before anything is allocated for it, so that no count, however large, runs the heap out.
   */
  @Test
  void corruptSnapshotsAreRestoredOrRefusedWithIllegalArgument() {
    qt().withExamples(1_000)
        .forAll(longs().all(), integers().between(0, 100), integers().between(0, 3))
        .checkAssert((seed, splitPercent, mutation) -> {
          Random random = new Random(seed);
          List<Step> history = history(random);
          SnapshotStore store = SnapshotStore.create(RECENTLY_FLUSHED);
          history.subList(0, history.size() * splitPercent / 100).forEach(step -> step.run(store));
          byte[] corrupt = corrupt(store.snapshot(), mutation, random);

          try {
            SnapshotStore.restore(corrupt, RECENTLY_FLUSHED);
          } catch (IllegalArgumentException refused) {
            // the one way to refuse
          }
        });
  }

  private static byte[] corrupt(byte[] snapshot, int mutation, Random random) {
    int at = random.nextInt(snapshot.length);
    switch (mutation) {
      case 0 -> {
        return Arrays.copyOf(snapshot, at);
      }
      case 1 -> {
        byte[] flipped = snapshot.clone();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
          flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return flipped;
      }
      case 2 -> {
        // an int that reads as a small count, length or index (most are) set to an extreme one
        ByteBuffer extreme = ByteBuffer.wrap(snapshot.clone());
        List<Integer> small = new ArrayList<>();
        for (int i = 0; i + 4 <= snapshot.length; i++) {
          if (extreme.getInt(i) >= 0 && extreme.getInt(i) <= snapshot.length) {
            small.add(i);
          }
        }
        int[] values = {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, Integer.MIN_VALUE, -1, -2, 1 << 30, 0xffff};
        return extreme.putInt(small.get(random.nextInt(small.size())), values[random.nextInt(values.length)]).array();
      }
      default -> {
        int from = random.nextInt(snapshot.length);
        int length = random.nextInt(snapshot.length - from + 1);
        byte[] spliced = new byte[snapshot.length + length];
        System.arraycopy(snapshot, 0, spliced, 0, at);
        System.arraycopy(snapshot, from, spliced, at, length);
        System.arraycopy(snapshot, at, spliced, at + length, snapshot.length - at);
        return spliced;
      }
    }
  }

  /**
   * A span length or a count larger than the bytes that follow is refused before anything is allocated for it: the
   * heap is not run out (an {@link OutOfMemoryError}, for a length near {@link Integer#MAX_VALUE}, that no caller
   * takes for a snapshot that does not decode).
   */
  @Test
  void aLengthLargerThanTheBytesLeftIsRefusedBeforeAnythingIsAllocated() {
    SnapshotStore store = SnapshotStore.create(RECENTLY_FLUSHED);
    store.add(0, TestSpans.parsed(span(1), span(2).parent(1)), POLICY, T0);
    // version, six counters, the trace count, the first trace's ids, two counts and flush count, its span count
    int firstSpanLength = 4 + 6 * 8 + 4 + 3 * 8 + 2 * 4 + 8 + 4;
    byte[] snapshot = store.snapshot();
    assertThat(ByteBuffer.wrap(snapshot).getInt(firstSpanLength)).as("a span's length")
        .isIn(span(1).bytes().length, span(2).parent(1).bytes().length);

    for (int length : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, snapshot.length}) {
      byte[] corrupt = ByteBuffer.wrap(snapshot.clone()).putInt(firstSpanLength, length).array();
      assertThatThrownBy(() -> SnapshotStore.restore(corrupt, RECENTLY_FLUSHED))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length");
    }
  }

  /** One call or flush; returns what it answered, as text. */
  private interface Step {
    List<String> run(SnapshotStore store);
  }

  private static List<Step> history(Random random) {
    List<Span> spans = randomSpans(random);
    List<Span> shuffled = new ArrayList<>(spans);
    Collections.shuffle(shuffled, random);
    List<Step> steps = new ArrayList<>();
    long now = T0.toEpochMilli();
    for (int i = 0; i < shuffled.size(); ) {
      int n = 1 + random.nextInt(Math.min(8, shuffled.size() - i));
      List<Span> batch = new ArrayList<>(shuffled.subList(i, i + n));
      i += n;
      now += random.nextInt(4) == 0 ? 100_000L : random.nextInt(3) * 5_000L;
      int shard = random.nextInt(6) == 0 ? 1 : 0;
      Instant at = Instant.ofEpochMilli(now);
      steps.add(store -> List.of("dup " + store.add(shard, batch, POLICY, at)));
      if (random.nextBoolean()) {
        boolean leaveSealed = random.nextInt(6) == 0;
        boolean chunked = random.nextInt(4) == 0;
        int flushShard = random.nextInt(6) == 0 ? 1 : 0;
        steps.add(store -> flush(store, flushShard, at, leaveSealed, chunked));
      }
      if (random.nextBoolean()) {
        Span again = spans.get(random.nextInt(spans.size()));
        steps.add(store -> List.of("dup " + store.add(0, List.of(again), POLICY, at)));
      }
    }
    Instant end = Instant.ofEpochMilli(now + 1_000_000);
    steps.add(store -> flush(store, 0, end, false, false));
    steps.add(store -> flush(store, 1, end, false, false));
    return steps;
  }

  private static List<String> flush(SnapshotStore store, int shard, Instant now, boolean leaveSealed,
      boolean chunked) {
    List<String> out = new ArrayList<>();
    for (DueSegment due : store.due(shard, now, 20)) {
      out.add("due " + due);
      SealedSegment sealed = store.seal(due.key(), now);
      out.add("sealed " + sealed);
      if (sealed == null) {
        continue;
      }
      List<String> json = new ArrayList<>();
      for (Span s : store.read(sealed)) {
        json.add(new String(s.bytes(), StandardCharsets.UTF_8));
      }
      Collections.sort(json);
      out.add("read " + json);
      if (!leaveSealed) {
        store.complete(sealed, chunked);
      }
    }
    out.add("shards " + store.shards());
    return out;
  }

  private static List<Span> randomSpans(Random random) {
    return TestSpans.randomTrees(random, 60, 400, TestSpans.TRACE, "ffffffffffffffffffffffffffffffff",
        "00000000000000000000000000000001", "00000000000000000000000000000002");
  }

}

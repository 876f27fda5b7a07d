package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link HeldRecords} against a simple model: a list of every batch held, each with its own count. The watermark is
 * the lowest offset of the oldest batch still holding a span and of every batch held after it (a record read again
 * after a rewind keeps the commit below it); a release succeeds once per held span of a batch that covers it.
 */
class HeldRecordsProperties {

  @Test
  void agreesWithAModelOfItsBatches() {
    qt().withExamples(100).forAll(longs().all()).checkAssert(seed -> run(new Random(seed)));
  }

  private static void run(Random random) {
    HeldRecords held = new HeldRecords();
    List<long[]> model = new ArrayList<>(); // {firstSeq, endSeq, firstOffset, held}
    long nextSeq = random.nextInt(3);
    long nextOffset = random.nextInt(1_000);
    int steps = 50 + random.nextInt(400);
    for (int step = 0; step < steps; step++) {
      if (random.nextInt(3) == 0) {
        int records = 1 + random.nextInt(4);
        int count = random.nextInt(records + 1);
        long offset = random.nextInt(8) == 0 ? Math.max(0, nextOffset - 1 - random.nextInt(10)) : nextOffset;
        held.hold(nextSeq, records, offset, count);
        if (count > 0) {
          model.add(new long[] {nextSeq, nextSeq + records, offset, count});
        }
        nextSeq += records + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        nextOffset = offset + records;
      } else {
        long seq = seqToRelease(random, model, nextSeq);
        long[] batch = holding(model, seq);
        boolean expected = batch != null && batch[3] > 0;
        if (batch != null && expected) {
          batch[3]--;
        }
        assertThat(held.release(seq)).as(() -> "release(" + seq + ") of " + show(model)).isEqualTo(expected);
      }
      assertThat(held.oldestHeldOffset()).as(() -> "watermark of " + show(model)).isEqualTo(watermark(model));
      assertThat(held.isEmpty()).isEqualTo(model.stream().allMatch(b -> b[3] == 0));
      long[] oldest = model.stream().filter(b -> b[3] > 0).findFirst().orElse(null);
      if (oldest != null) {
        assertThat(held.covers(oldest[0]) && held.covers(model.get(model.size() - 1)[1] - 1)).isTrue();
      }
      assertThat(held.covers(nextSeq)).as("a sequence number not given yet").isFalse();
    }
  }

  /** Mostly a span of the oldest batch still holding one (so that batches drain in order), else any number. */
  private static long seqToRelease(Random random, List<long[]> model, long nextSeq) {
    if (random.nextInt(4) != 0) {
      for (long[] b : model) {
        if (b[3] > 0) {
          return b[0] + random.nextInt((int) (b[1] - b[0]));
        }
      }
    }
    return random.nextInt((int) nextSeq + 3) - 1;
  }

  private static long @Nullable [] holding(List<long[]> model, long seq) {
    for (long[] b : model) {
      if (seq >= b[0] && seq < b[1]) {
        return b;
      }
    }
    return null;
  }

  private static OptionalLong watermark(List<long[]> model) {
    int oldest = 0;
    while (oldest < model.size() && model.get(oldest)[3] == 0) {
      oldest++;
    }
    if (oldest == model.size()) {
      return OptionalLong.empty();
    }
    long offset = Long.MAX_VALUE;
    for (int i = oldest; i < model.size(); i++) {
      offset = Math.min(offset, model.get(i)[2]);
    }
    return OptionalLong.of(offset);
  }

  private static String show(List<long[]> model) {
    StringBuilder b = new StringBuilder();
    for (long[] batch : model) {
      b.append(String.format("[%d,%d)@%d×%d ", batch[0], batch[1], batch[2], batch[3]));
    }
    return b.toString();
  }
}

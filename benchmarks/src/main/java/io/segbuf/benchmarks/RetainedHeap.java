package io.segbuf.benchmarks;

import io.segbuf.FlushPolicy;
import io.segbuf.Span;
import io.segbuf.spi.SegmentStore;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Retained heap per buffered payload byte: buffers generated 1 KiB spans in the in-memory store, then compares the
 * live heap after full collections with the spans' bytes. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.segbuf.benchmarks.RetainedHeap [spans]}.
 */
public final class RetainedHeap {
  private RetainedHeap() {}

  public static void main(String[] args) {
    int spans = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    long before = liveHeap();
    List<byte[]> raw = Inputs.spans(spans / 20, 20, 1024, 3);
    long payload = raw.stream().mapToLong(b -> b.length).sum();
    SegmentStore store = SegmentStore.inMemory();
    List<Span> batch = new ArrayList<>(1000);
    for (byte[] bytes : raw) {
      batch.add((Span) Span.parse(bytes));
      if (batch.size() == 1000) {
        store.add(0, batch, FlushPolicy.defaults(), Instant.EPOCH);
        batch = new ArrayList<>(1000);
      }
    }
    raw = List.of(); // the store alone holds the spans now
    long after = liveHeap();
    System.out.printf(Locale.ROOT, "%,d spans, %,d payload bytes buffered, %,d bytes retained: %.3f x payload%n",
        store.usage().spans(), payload, after - before, (double) (after - before) / payload);
  }

  private static long liveHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

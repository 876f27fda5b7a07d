package io.segbuf.benchmarks;

import io.segbuf.Chunker;
import io.segbuf.ChunkingStrategy;
import io.segbuf.Message;
import io.segbuf.Segment;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The flush path of one segment of 1 KiB spans — order, patch, chunk, encode through the public {@link Segment} and
 * {@link Chunker}, as {@code SpanBuffer}'s flush does (seal and read are list handovers in the in-memory store) —
 * against the jackson-databind port and the byte-copy floor, in the same run. The flush ids alone ({@code
 * flushIds}: SHA-256 over every message, a part of {@code segbuf}) against the key-only MD5 they replaced ({@code
 * keyOnlyFlushIdsBaseline}) say what digesting the content costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class FlushBenchmark {
  private static final int MAX_MESSAGE_BYTES = 1024 * 1024;

  /** The segment's size: 10 KiB, 1 MiB or 10 MiB of 1 KiB spans. */
  @Param({"10240", "1048576", "10485760"})
  int segmentBytes;

  @Param({"GREEDY", "SUBTREE"})
  ChunkingStrategy chunking = ChunkingStrategy.GREEDY;

  private List<byte[]> raw;
  private List<Span> spans;
  private int totalBytes;
  private SegmentKey key;
  private Chunker chunker;
  private List<Message> encoded;

  @Setup
  public void setUp() {
    raw = Inputs.spans(1, segmentBytes / 1024, 1024, 42);
    spans = Inputs.parsed(raw);
    totalBytes = raw.stream().mapToInt(b -> b.length).sum();
    Span root = spans.get(0);
    key = new SegmentKey(root.projectId(), root.traceId(), Inputs.rootId(spans));
    chunker = new Chunker(chunking, MAX_MESSAGE_BYTES);
    encoded = segbuf();
  }

  @Benchmark
  public List<Message> segbuf() {
    List<Message> messages = chunker.chunk(Segment.of(key, 0, false, spans)).messages();
    messages.forEach(Message::value); // messages are encoded when read: measure the encoding too
    return messages;
  }

  @Benchmark
  public int flushIds() {
    int sum = 0;
    for (Message m : encoded) {
      sum += Chunker.flushId(key, m.value()).hashCode();
    }
    return sum;
  }

  /** The flush ids before they digested the content: MD5 of project, trace, segment id, generation, chunk index. */
  @Benchmark
  public int keyOnlyFlushIdsBaseline() throws NoSuchAlgorithmException {
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    int sum = 0;
    for (Message m : encoded) {
      String name = key.projectId() + ":" + key.traceId().toHex() + ":" + key.segmentIdHex() + ":"
          + m.generation() + ":" + m.chunkIndex();
      sum += HexFormat.of().formatHex(md5.digest(name.getBytes(StandardCharsets.US_ASCII))).hashCode();
    }
    return sum;
  }

  @Benchmark
  public List<byte[]> databindBaseline() {
    return DatabindBaseline.flush(raw, key.segmentIdHex(), MAX_MESSAGE_BYTES);
  }

  @Benchmark
  public byte[] byteCopyFloor() {
    return ByteCopyFloor.copy(raw, totalBytes);
  }
}

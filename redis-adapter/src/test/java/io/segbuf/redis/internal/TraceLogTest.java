package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.FlushPolicy;
import io.segbuf.KnownSpan;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.internal.Digest;
import io.segbuf.redis.internal.TraceLog.Added;
import io.segbuf.redis.internal.TraceLog.Completed;
import io.segbuf.redis.internal.TraceLog.Record;
import io.segbuf.redis.internal.TraceLog.Sealed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** {@link TraceLog}: records written one by one and appended read back exactly; anything else is corrupt. */
class TraceLogTest {
  private static final int HEAD = 5;
  // An 'A' body: frame id, shard, now, three durations of seconds + nanos, max segment bytes, span count.
  private static final int TIMEOUT = 20;
  private static final int ROOT_TIMEOUT = 32;
  private static final int LIFETIME = 44;
  private static final int MAX_SEGMENT_BYTES = 56;
  private static final int COUNT = 64;
  private static final int ADDED_FIXED = 68;
  private static final int PER_SPAN = 37;
  /** Within a span's 37 bytes: id, parent, explicit segment id, digest, then these. */
  private static final int SPAN_LENGTH = 32;
  private static final int SPAN_FLAGS = 36;
  /** A failing property shrinks for a few seconds, not minutes: each example parses a log many times. */
  private static final int SHRINK_CYCLES = 200;
  private static final Pattern CORRUPT = Pattern.compile("trace log is corrupt at byte (\\d+): (?:"
      + "a record header cut short: (\\d+) bytes"
      + "|a record of (-?\\d+) bytes with (\\d+) left"
      + "|a malformed record of kind (\\d+) and (\\d+) bytes)");

  /** One record as written ({@code bytes}) and as it must read back ({@code expected}). */
  private static final class Written {
    private final byte[] bytes;
    private final Record expected;

    Written(byte[] bytes, Record expected) {
      this.bytes = bytes;
      this.expected = expected;
    }

    @Override
    public String toString() {
      return expected.toString();
    }
  }

  /** A log: the records' bytes appended, and where each record starts. */
  private static final class Log {
    private final byte[] bytes;
    private final List<Record> records;
    private final List<Integer> starts;

    private Log(byte[] bytes, List<Record> records, List<Integer> starts) {
      this.bytes = bytes;
      this.records = records;
      this.starts = starts;
    }

    static Log of(List<Written> written) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<Record> records = new ArrayList<>();
      List<Integer> starts = new ArrayList<>();
      for (Written w : written) {
        starts.add(out.size());
        out.writeBytes(w.bytes);
        records.add(w.expected);
      }
      return new Log(out.toByteArray(), records, starts);
    }

    /** The index of the record that holds byte {@code at}. */
    int recordAt(int at) {
      int index = 0;
      for (int i = 0; i < starts.size(); i++) {
        if (starts.get(i) <= at) {
          index = i;
        }
      }
      return index;
    }

    int recordEnd(int index) {
      return index + 1 < starts.size() ? starts.get(index + 1) : bytes.length;
    }

    @Override
    public String toString() {
      return records.toString();
    }
  }

  /** A log and the bytes to flip in it: {@code (position, xor mask)} pairs, the mask never zero. */
  private record Mutated(Log log, List<int[]> flips) {
    byte[] bytes() {
      byte[] out = log.bytes.clone();
      for (int[] f : flips) {
        out[f[0]] ^= (byte) f[1];
      }
      return out;
    }

    int firstPosition() {
      return flips.stream().mapToInt(f -> f[0]).min().orElseThrow();
    }

    @Override
    public String toString() {
      return log + " flipping " + flips.stream().map(f -> f[0] + "^" + f[1]).toList();
    }
  }

  /** A span described by its fields, so the expected flags do not come from the code under test. */
  private record SpanSpec(long id, @Nullable Long parent, @Nullable Boolean isSegment, @Nullable Long segmentId,
      int padding) {
    Span span() {
      TestSpans t = TestSpans.span(id).padding(padding);
      if (parent != null) {
        t.parent(parent);
      }
      if (isSegment != null) {
        t.isSegment(isSegment);
      }
      if (segmentId != null) {
        t.segmentId(segmentId);
      }
      return t.parsed();
    }

    boolean root() {
      return parent == null || Boolean.TRUE.equals(isSegment) || parent == id;
    }

    KnownSpan expected(Span s) {
      // Without a parent or an explicit segment id the value is meaningless; it only has to come back as written.
      return new KnownSpan(id, root(), segmentId != null, segmentId != null ? segmentId : s.explicitSegmentId(),
          parent != null ? parent : s.parentSpanId(), Digest.of(s.bytes()), s.bytes().length);
    }
  }

  private static Gen<Long> ids() {
    return integers().between(0, 2).flatMap(kind -> switch (kind) {
      case 0 -> longs().between(0, 5);
      case 1 -> longs().between(Long.MIN_VALUE, Long.MIN_VALUE + 2);
      default -> longs().all();
    });
  }

  private static <T> Gen<@Nullable T> maybe(Gen<T> gen) {
    return booleans().all().flatMap(present -> present ? gen : x -> null);
  }

  private static Gen<SpanSpec> spanSpecs() {
    Gen<Long> id = ids();
    Gen<@Nullable Long> parent = maybe(ids());
    Gen<@Nullable Boolean> isSegment = maybe(booleans().all());
    Gen<@Nullable Long> segmentId = maybe(ids());
    Gen<Integer> padding = integers().between(0, 300);
    return id.zip(parent, isSegment, segmentId, padding, SpanSpec::new);
  }

  /** Positive durations: below a millisecond, whole milliseconds, any seconds and nanos up to the largest. */
  private static Gen<Duration> durations() {
    return integers().between(0, 3).flatMap(kind -> switch (kind) {
      case 0 -> longs().between(1, 999_999).map(Duration::ofNanos);
      case 1 -> longs().between(1, 100_000).map(Duration::ofMillis);
      case 2 -> longs().between(1, Long.MAX_VALUE).zip(integers().between(0, 999_999_999), Duration::ofSeconds);
      default -> longs().between(0, 1).zip(integers().between(1, 999_999_999), Duration::ofSeconds);
    });
  }

  private static Gen<FlushPolicy> policies() {
    Gen<Long> segmentBytes = integers().between(0, 1).flatMap(kind -> kind == 0
        ? longs().between(1, 1 << 20)
        : longs().between(1, Long.MAX_VALUE));
    return durations().zip(durations(), maybe(durations()), segmentBytes, FlushPolicy::new);
  }

  private static Gen<Written> addedRecords() {
    Gen<Long> frameId = longs().all();
    Gen<Integer> shard = integers().all();
    Gen<Long> now = longs().all();
    Gen<List<SpanSpec>> specs = lists().of(spanSpecs()).ofSizeBetween(0, 4);
    return frameId.zip(shard, now, (f, s, n) -> new long[] {f, s, n})
        .zip(policies(), specs, (head, policy, spanSpecs) -> {
          List<Span> spans = new ArrayList<>();
          List<KnownSpan> known = new ArrayList<>();
          for (SpanSpec spec : spanSpecs) {
            Span s = spec.span();
            spans.add(s);
            known.add(spec.expected(s));
          }
          byte[] bytes = TraceLog.added(head[0], (int) head[1], head[2], policy, spans);
          return new Written(bytes, new Added(head[0], (int) head[1], head[2], policy, known));
        });
  }

  private static Gen<Written> sealedRecords() {
    return longs().all().zip(longs().all(),
        (segment, now) -> new Written(TraceLog.sealed(segment, now), new Sealed(segment, now)));
  }

  /** Generations count up from 0; a negative one is corrupt (see negativeGenerationIsCorrupt). */
  private static Gen<Written> completedRecords() {
    Gen<Integer> generations = integers().between(0, 1).flatMap(kind -> kind == 0
        ? integers().between(0, 10)
        : integers().between(0, Integer.MAX_VALUE));
    return longs().all().zip(generations, booleans().all(), (segment, generation, chunked) ->
        new Written(TraceLog.completed(segment, generation, chunked), new Completed(segment, generation, chunked)));
  }

  private static Gen<Written> records() {
    return integers().between(0, 2).flatMap(kind -> switch (kind) {
      case 0 -> addedRecords();
      case 1 -> sealedRecords();
      default -> completedRecords();
    });
  }

  private static Gen<Log> logs(int minRecords, int maxRecords) {
    return lists().of(records()).ofSizeBetween(minRecords, maxRecords).map(Log::of);
  }

  private static Gen<Mutated> mutatedLogs() {
    Gen<int[]> flip = integers().between(0, Integer.MAX_VALUE).zip(integers().between(1, 255),
        (position, mask) -> new int[] {position, mask});
    return logs(1, 4).zip(lists().of(flip).ofSizeBetween(1, 3), (log, flips) -> new Mutated(log,
        flips.stream().map(f -> new int[] {f[0] % log.bytes.length, f[1]}).toList()));
  }

  @Test
  void appendedRecordsReadBackExactly() {
    qt().withExamples(300).withShrinkCycles(SHRINK_CYCLES).forAll(logs(0, 6)).checkAssert(log -> {
      assertThat(TraceLog.parse(log.bytes)).isEqualTo(log.records);
      // A prefix that ends between records is a shorter log: Redis may not have appended the rest yet.
      for (int i = 0; i < log.starts.size(); i++) {
        byte[] prefix = Arrays.copyOf(log.bytes, log.starts.get(i));
        assertThat(TraceLog.parse(prefix)).isEqualTo(log.records.subList(0, i));
      }
    });
  }

  @Test
  void cutInsideARecordBodyNamesThatRecordAndWhatIsLeft() {
    qt().withExamples(100).withShrinkCycles(SHRINK_CYCLES).forAll(logs(1, 4)).checkAssert(log -> {
      for (int cut = 1; cut < log.bytes.length; cut++) {
        int record = log.recordAt(cut);
        int start = log.starts.get(record);
        if (cut - start < HEAD) {
          continue; // the header is cut: cutInsideARecordHeaderNamesThatRecordAndItsBytes
        }
        int body = log.recordEnd(record) - start - HEAD;
        byte[] prefix = Arrays.copyOf(log.bytes, cut);
        assertThatThrownBy(() -> TraceLog.parse(prefix))
            .isExactlyInstanceOf(SegbufException.class)
            .hasMessage("trace log is corrupt at byte " + start + ": a record of " + body + " bytes with "
                + (cut - start - HEAD) + " left");
      }
    });
  }

  @Test
  void cutInsideARecordHeaderNamesThatRecordAndItsBytes() {
    qt().withExamples(100).withShrinkCycles(SHRINK_CYCLES).forAll(logs(1, 4)).checkAssert(log -> {
      for (int start : log.starts) {
        for (int cut = start + 1; cut < start + HEAD; cut++) {
          byte[] prefix = Arrays.copyOf(log.bytes, cut);
          assertThatThrownBy(() -> TraceLog.parse(prefix))
              .isExactlyInstanceOf(SegbufException.class)
              .hasMessage("trace log is corrupt at byte " + start + ": a record header cut short: " + (cut - start)
                  + " bytes");
        }
      }
    });
  }

  /**
   * Any flipped bytes: the records before the first flip still read back, and a failure names a record start at
   * or after it, with the kind, length and bytes left that are really there.
   */
  @Test
  void flippedBytesReadBackOrFailAtARecordStartWithTheBytesThere() {
    qt().withExamples(300).withShrinkCycles(SHRINK_CYCLES).forAll(mutatedLogs()).checkAssert(m -> {
      byte[] bytes = m.bytes();
      int intact = m.log.recordAt(m.firstPosition());
      List<Record> parsed;
      try {
        parsed = TraceLog.parse(bytes);
      } catch (SegbufException e) {
        assertCorruptAtARecordStart(e, bytes, m.log.starts.get(intact), m.log.records.subList(0, intact));
        return;
      }
      assertThat(parsed).hasSizeGreaterThanOrEqualTo(intact);
      assertThat(parsed.subList(0, intact)).isEqualTo(m.log.records.subList(0, intact));
    });
  }

  private static void assertCorruptAtARecordStart(SegbufException e, byte[] bytes, int notBefore,
      List<Record> before) {
    assertThat(e).isExactlyInstanceOf(SegbufException.class);
    String text = String.valueOf(e.getMessage());
    Matcher message = CORRUPT.matcher(text);
    assertThat(message.matches()).as(text).isTrue();
    int at = Integer.parseInt(message.group(1));
    assertThat(at).isGreaterThanOrEqualTo(notBefore).isLessThan(bytes.length);
    // the failing record starts where a walk over whole records stopped: everything before it reads back
    List<Record> prefix = TraceLog.parse(Arrays.copyOf(bytes, at));
    assertThat(prefix).hasSizeGreaterThanOrEqualTo(before.size());
    assertThat(prefix.subList(0, before.size())).isEqualTo(before);
    int left = bytes.length - at;
    if (message.group(2) != null) {
      assertThat(Integer.parseInt(message.group(2))).isEqualTo(left).isLessThan(HEAD);
      return;
    }
    int length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(at + 1);
    if (message.group(3) != null) {
      assertThat(Integer.parseInt(message.group(3))).isEqualTo(length);
      assertThat(Integer.parseInt(message.group(4))).isEqualTo(left - HEAD);
      assertThat(length < 0 || length > left - HEAD).isTrue();
    } else {
      assertThat(Integer.parseInt(message.group(5))).isEqualTo(bytes[at] & 0xff);
      assertThat(Integer.parseInt(message.group(6))).isEqualTo(length).isBetween(0, left - HEAD);
    }
  }

  @Test
  void flagsAndFieldsOfKnownSpansComeFromTheSpan() {
    Span root = TestSpans.span(1).parsed();
    Span child = TestSpans.span(2).parent(1).padding(40).parsed();
    Span explicitChild = TestSpans.span(3).parent(2).segmentId(1).parsed();
    Span markedRoot = TestSpans.span(4).parent(1).isSegment(true).parsed();
    Span ownParent = TestSpans.span(5).parent(5).parsed();
    FlushPolicy policy = new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 1 << 20);

    List<Record> records =
        TraceLog.parse(TraceLog.added(9, 3, 1_700_000_000_500L, policy,
            List.of(root, child, explicitChild, markedRoot, ownParent)));

    Added added = (Added) records.get(0);
    assertThat(added.frameId()).isEqualTo(9);
    assertThat(added.shard()).isEqualTo(3);
    assertThat(added.nowMillis()).isEqualTo(1_700_000_000_500L);
    assertThat(added.policy()).isEqualTo(policy);
    assertThat(added.policy().maxLifetime()).isNull();
    assertThat(added.spans()).extracting(KnownSpan::spanId).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(added.spans()).extracting(KnownSpan::root).containsExactly(true, false, false, true, true);
    assertThat(added.spans()).extracting(KnownSpan::explicit).containsExactly(false, false, true, false, false);
    assertThat(added.spans().get(2).explicitSegmentId()).isEqualTo(1L);
    assertThat(added.spans().get(1).parentSpanId()).isEqualTo(1L);
    assertThat(added.spans().get(1).length()).isEqualTo(child.size());
    assertThat(added.spans().get(1).digest()).isEqualTo(Digest.of(child.bytes()));
    assertThat(added.spans().get(1).digest()).isNotEqualTo(added.spans().get(0).digest());
  }

  @Test
  void policyWithAndWithoutMaxLifetimeReadsBack() {
    FlushPolicy without = new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), null, 10L << 20);
    FlushPolicy with = new FlushPolicy(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(3), 1);
    byte[] log = concat(TraceLog.added(1, 0, 0, without, List.of()), TraceLog.added(2, 0, 0, with, List.of()));

    List<Record> records = TraceLog.parse(log);

    assertThat(records).containsExactly(new Added(1, 0, 0, without, List.of()), new Added(2, 0, 0, with, List.of()));
  }

  @Test
  void subMillisecondAndExtremeDurationsReadBackExactly() {
    List<Duration> durations = List.of(Duration.ofNanos(1), Duration.ofNanos(500_000), Duration.ofNanos(999_999),
        Duration.ofMillis(1).plusNanos(1), Duration.ofSeconds(1, 999_999_999), Duration.ofMillis(Long.MAX_VALUE),
        Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
    for (Duration d : durations) {
      for (FlushPolicy policy : List.of(new FlushPolicy(d, Duration.ofSeconds(10), null, 1),
          new FlushPolicy(Duration.ofSeconds(60), d, null, 1),
          new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), d, Long.MAX_VALUE),
          new FlushPolicy(d, d, d, 1))) {
        byte[] log = TraceLog.added(1, 0, 0, policy, TestSpans.parsed(TestSpans.span(1)));

        Added added = (Added) TraceLog.parse(log).get(0);

        assertThat(added.policy()).as("%s", policy).isEqualTo(policy);
      }
    }
  }

  @Test
  void emptyLogHasNoRecords() {
    assertThat(TraceLog.parse(new byte[0])).isEmpty();
  }

  @Test
  void sealedAndCompletedLayoutIsKindLengthAndLittleEndianBody() {
    assertThat(TraceLog.sealed(0x0102030405060708L, -42)).isEqualTo(le(21).put((byte) 'S').putInt(16)
        .putLong(0x0102030405060708L).putLong(-42).array());
    assertThat(TraceLog.completed(-7, 0x01020304, true)).isEqualTo(le(18).put((byte) 'C').putInt(13)
        .putLong(-7).putInt(0x01020304).put((byte) 1).array());
    assertThat(TraceLog.completed(9, 0, false)).isEqualTo(le(18).put((byte) 'C').putInt(13)
        .putLong(9).putInt(0).put((byte) 0).array());
  }

  @Test
  void addedLayoutHoldsDurationsAsSecondsAndNanosThenSpans() {
    Span root = TestSpans.span(0x1112131415161718L).parsed();
    Span child = TestSpans.span(2).parent(0x1112131415161718L).segmentId(9).padding(10).parsed();
    FlushPolicy policy = new FlushPolicy(Duration.ofSeconds(60, 1), Duration.ofMillis(1_500),
        Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), 0x0102030405060708L);

    byte[] added = TraceLog.added(0x2122232425262728L, -3, 1_700_000_000_500L, policy, List.of(root, child));

    ByteBuffer expected = le(HEAD + ADDED_FIXED + 2 * PER_SPAN).put((byte) 'A').putInt(ADDED_FIXED + 2 * PER_SPAN)
        .putLong(0x2122232425262728L).putInt(-3).putLong(1_700_000_000_500L)
        .putLong(60).putInt(1)
        .putLong(1).putInt(500_000_000)
        .putLong(Long.MAX_VALUE).putInt(999_999_999)
        .putLong(0x0102030405060708L)
        .putInt(2);
    expected.putLong(0x1112131415161718L).putLong(root.parentSpanId()).putLong(root.explicitSegmentId())
        .putLong(Digest.of(root.bytes())).putInt(root.size()).put((byte) 1); // root
    expected.putLong(2).putLong(0x1112131415161718L).putLong(9)
        .putLong(Digest.of(child.bytes())).putInt(child.size()).put((byte) 2); // explicit segment id
    assertThat(added).isEqualTo(expected.array());
  }

  @Test
  void addedWithoutMaxLifetimeWritesSecondsMinusOneAndNanosZero() {
    FlushPolicy policy = new FlushPolicy(Duration.ofNanos(1), Duration.ofSeconds(10), null, 1);

    byte[] added = TraceLog.added(1, 2, 3, policy, List.of());

    assertThat(added).isEqualTo(le(HEAD + ADDED_FIXED).put((byte) 'A').putInt(ADDED_FIXED)
        .putLong(1).putInt(2).putLong(3)
        .putLong(0).putInt(1)
        .putLong(10).putInt(0)
        .putLong(-1).putInt(0)
        .putLong(1)
        .putInt(0).array());
  }

  @Test
  void unknownKindIsCorrupt() {
    byte[] first = TraceLog.sealed(1, 2);
    for (byte kind : new byte[] {'X', 'a', 's', 'c', 0, (byte) 0xff}) {
      byte[] second = TraceLog.completed(3, 4, false);
      second[0] = kind;
      byte[] log = concat(first, second, TraceLog.sealed(5, 6));

      assertCorrupt(log, first.length, "a malformed record of kind " + (kind & 0xff) + " and 13 bytes");
    }
  }

  @Test
  void sealedOrCompletedOfTheWrongLengthIsCorrupt() {
    byte[] first = TraceLog.completed(1, 1, true);
    for (int length : new int[] {0, 1, 15, 17, 32}) {
      assertCorrupt(concat(first, withLength(TraceLog.sealed(1, 2), length), TraceLog.sealed(3, 4)), first.length,
          "a malformed record of kind 83 and " + length + " bytes");
    }
    for (int length : new int[] {0, 1, 12, 14, 16}) {
      assertCorrupt(concat(first, withLength(TraceLog.completed(1, 2, true), length), TraceLog.sealed(3, 4)),
          first.length, "a malformed record of kind 67 and " + length + " bytes");
    }
  }

  @Test
  void addedWhoseLengthDisagreesWithItsSpanCountIsCorrupt() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1), TestSpans.span(2).parent(1));
    byte[] added = TraceLog.added(7, 0, 0, FlushPolicy.defaults(), spans);
    assertThat(added).hasSize(HEAD + ADDED_FIXED + 2 * PER_SPAN);
    byte[] first = TraceLog.sealed(1, 2);
    List<byte[]> corrupt = List.of(
        withLength(added, added.length - HEAD - PER_SPAN), // one span short
        withLength(added, added.length - HEAD - 1), // cut inside the last span
        withLength(added, added.length - HEAD + 1), // one byte long
        withLength(added, added.length - HEAD + PER_SPAN), // a zero span too many
        patchInt(added, COUNT, 1), patchInt(added, COUNT, 3), patchInt(added, COUNT, -1),
        patchInt(added, COUNT, Integer.MAX_VALUE), patchInt(added, COUNT, Integer.MIN_VALUE));

    for (byte[] record : corrupt) {
      byte[] log = concat(first, record, TraceLog.sealed(3, 4));

      assertCorrupt(log, first.length, "a malformed record of kind 65 and " + (record.length - HEAD) + " bytes");
    }
  }

  @Test
  void addedCutShortInsideItsFixedFieldsIsCorruptAtItsStart() {
    byte[] first = TraceLog.completed(1, 2, false);
    byte[] added = TraceLog.added(7, 0, 0, FlushPolicy.defaults(), List.of());
    for (int length = 0; length < ADDED_FIXED; length++) {
      byte[] log = concat(first, withLength(added, length), TraceLog.sealed(3, 4));

      assertCorrupt(log, first.length, "a malformed record of kind 65 and " + length + " bytes");
    }
  }

  @Test
  void addedWithAnImpossiblePolicyIsCorrupt() {
    byte[] first = TraceLog.sealed(1, 2);
    byte[] added = TraceLog.added(7, 0, 0, FlushPolicy.defaults(), TestSpans.parsed(TestSpans.span(1)));
    byte[] withLifetime = TraceLog.added(7, 0, 0,
        new FlushPolicy(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(5), 1), List.of());
    List<byte[]> impossible = List.of(
        patchDuration(added, TIMEOUT, 0, 0), // zero timeout
        patchDuration(added, ROOT_TIMEOUT, 0, 0),
        patchDuration(withLifetime, LIFETIME, 0, 0),
        patchDuration(added, TIMEOUT, -5, 0), // negative seconds
        patchDuration(added, ROOT_TIMEOUT, Long.MIN_VALUE, 0),
        patchDuration(added, TIMEOUT, 1, -1), // nanos out of range
        patchDuration(added, ROOT_TIMEOUT, 1, 1_000_000_000),
        patchDuration(withLifetime, LIFETIME, 1, Integer.MIN_VALUE),
        patchDuration(added, LIFETIME, -1, 1), // not the no-lifetime marker
        patchDuration(added, LIFETIME, -2, 0),
        patchDuration(added, LIFETIME, Long.MIN_VALUE, 0),
        patchLong(added, MAX_SEGMENT_BYTES, 0),
        patchLong(added, MAX_SEGMENT_BYTES, -1));

    for (byte[] record : impossible) {
      byte[] log = concat(first, record, TraceLog.sealed(3, 4));

      assertCorrupt(log, first.length, "a malformed record of kind 65 and " + (record.length - HEAD) + " bytes");
    }
    // the patches alone make the difference
    assertThat(TraceLog.parse(concat(first, added, withLifetime))).hasSize(3);
    assertThat(((Added) TraceLog.parse(patchDuration(added, TIMEOUT, 0, 1)).get(0)).policy().timeout())
        .isEqualTo(Duration.ofNanos(1));
  }

  @Test
  void spanFlagsReadBackAndUnknownFlagBitsAreCorrupt() {
    byte[] first = TraceLog.completed(1, 2, true);
    byte[] added = TraceLog.added(7, 0, 0, FlushPolicy.defaults(),
        TestSpans.parsed(TestSpans.span(1), TestSpans.span(2).parent(1)));
    int secondFlags = HEAD + ADDED_FIXED + PER_SPAN + SPAN_FLAGS;
    for (int flags = 0; flags < 4; flags++) {
      byte[] record = added.clone();
      record[secondFlags] = (byte) flags;

      KnownSpan second = ((Added) TraceLog.parse(concat(first, record)).get(1)).spans().get(1);

      assertThat(second.root()).isEqualTo((flags & 1) != 0);
      assertThat(second.explicit()).isEqualTo((flags & 2) != 0);
    }
    for (int flags : new int[] {4, 5, 8, 0x40, 0x80, 0xff}) {
      byte[] record = added.clone();
      record[secondFlags] = (byte) flags;

      assertCorrupt(concat(first, record, TraceLog.sealed(3, 4)), first.length,
          "a malformed record of kind 65 and " + (record.length - HEAD) + " bytes");
    }
  }

  @Test
  void negativeSpanSizeIsCorrupt() {
    byte[] first = TraceLog.sealed(1, 2);
    byte[] added = TraceLog.added(7, 0, 0, FlushPolicy.defaults(),
        TestSpans.parsed(TestSpans.span(1), TestSpans.span(2).parent(1)));
    int secondSize = ADDED_FIXED + PER_SPAN + SPAN_LENGTH;
    for (int size : new int[] {-1, Integer.MIN_VALUE}) {
      byte[] record = patchInt(added, secondSize, size);

      assertCorrupt(concat(first, record, TraceLog.sealed(3, 4)), first.length,
          "a malformed record of kind 65 and " + (record.length - HEAD) + " bytes");
    }
    assertThat(((Added) TraceLog.parse(patchInt(added, secondSize, 0)).get(0)).spans().get(1).length()).isZero();
  }

  @Test
  void negativeGenerationIsCorrupt() {
    byte[] first = TraceLog.sealed(1, 2);
    for (int generation : new int[] {-1, Integer.MIN_VALUE}) {
      assertCorrupt(concat(first, TraceLog.completed(3, generation, false), TraceLog.sealed(4, 5)), first.length,
          "a malformed record of kind 67 and 13 bytes");
    }
    assertThat(TraceLog.parse(TraceLog.completed(3, Integer.MAX_VALUE, true)))
        .containsExactly(new Completed(3, Integer.MAX_VALUE, true));
  }

  @Test
  void chunkedByteOtherThanZeroOrOneIsCorrupt() {
    byte[] first = TraceLog.sealed(1, 2);
    for (int chunked : new int[] {2, 3, 0x80, 0xff}) {
      byte[] record = TraceLog.completed(3, 4, true);
      record[HEAD + 12] = (byte) chunked;

      assertCorrupt(concat(first, record, TraceLog.sealed(4, 5)), first.length,
          "a malformed record of kind 67 and 13 bytes");
    }
  }

  @Test
  void headerCutShortAfterWholeRecordsNamesItsBytes() {
    byte[] first = concat(TraceLog.sealed(1, 2), TraceLog.completed(3, 4, true));
    for (int left = 1; left < HEAD; left++) {
      byte[] log = concat(first, Arrays.copyOf(TraceLog.sealed(5, 6), left));

      assertCorrupt(log, first.length, "a record header cut short: " + left + " bytes");
    }
  }

  @Test
  void lengthOutsideTheLogIsCorrupt() {
    byte[] first = TraceLog.sealed(1, 2);
    for (int length : new int[] {-1, -16, Integer.MIN_VALUE, 17, Integer.MAX_VALUE}) {
      byte[] log = concat(first, withDeclaredLength(TraceLog.sealed(3, 4), length));

      assertCorrupt(log, first.length, "a record of " + length + " bytes with 16 left");
    }
  }

  private static void assertCorrupt(byte[] log, int at, String what) {
    assertThatThrownBy(() -> TraceLog.parse(log))
        .isExactlyInstanceOf(SegbufException.class)
        .hasMessage("trace log is corrupt at byte " + at + ": " + what);
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The record with its length field set to {@code length} and its body cut or zero-padded to match. */
  private static byte[] withLength(byte[] record, int length) {
    byte[] out = Arrays.copyOf(record, HEAD + length);
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(1, length);
    return out;
  }

  /** The record, body unchanged, with its length field saying {@code length}. */
  private static byte[] withDeclaredLength(byte[] record, int length) {
    return patch(record, b -> b.putInt(1, length));
  }

  /** The record with the int at {@code offset} of its body set. */
  private static byte[] patchInt(byte[] record, int offset, int value) {
    return patch(record, b -> b.putInt(HEAD + offset, value));
  }

  private static byte[] patchLong(byte[] record, int offset, long value) {
    return patch(record, b -> b.putLong(HEAD + offset, value));
  }

  private static byte[] patchDuration(byte[] record, int offset, long seconds, int nanos) {
    return patch(record, b -> b.putLong(HEAD + offset, seconds).putInt(HEAD + offset + 8, nanos));
  }

  private static byte[] patch(byte[] record, Consumer<ByteBuffer> change) {
    byte[] out = record.clone();
    change.accept(ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN));
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}

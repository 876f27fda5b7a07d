package io.segbuf.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;
import io.segbuf.SegbufException;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** {@link FrameCodec}: spans come back byte for byte and in order; any other stored value is refused. */
class FrameCodecTest {
  private static final int MAX = 1 << 20;
  private static final FrameCodec RAW = new FrameCodec(false, 3, 0, MAX);
  private static final FrameCodec ZSTD = new FrameCodec(true, 3, 64, MAX);
  /** A failing property shrinks for a few seconds, not minutes. */
  private static final int SHRINK_CYCLES = 200;

  private static Gen<Span> spans() {
    return spans(3_000);
  }

  private static Gen<Span> spans(int maxPadding) {
    return longs().all().zip(integers().between(0, maxPadding),
        (id, padding) -> TestSpans.span(id).padding(padding).parsed());
  }

  @Test
  void anyBatchComesBackByteForByteInOrder() {
    qt().withExamples(300).withShrinkCycles(SHRINK_CYCLES)
        .forAll(lists().of(spans()).ofSizeBetween(0, 6), booleans().all(), integers().between(1, 6),
            integers().between(0, 8_000))
        .checkAssert((spans, compression, level, minBytes) -> {
          FrameCodec codec = new FrameCodec(compression, level, minBytes, MAX);
          byte[] raw = rawFrame(spans);

          byte[] stored = codec.encode(spans);

          assertThat(bytesOf(codec.decode(stored))).containsExactlyElementsOf(bytesOf(spans));
          if (stored[0] == 'R') {
            assertThat(stored).isEqualTo(raw);
          } else {
            assertThat(stored[0]).isEqualTo((byte) 'Z');
            assertThat(compression).isTrue();
            assertThat(raw.length).isGreaterThanOrEqualTo(minBytes);
            assertThat(stored.length).isLessThan(raw.length);
            assertThat(Zstd.decompress(Arrays.copyOfRange(stored, 1, stored.length), raw.length - 1))
                .isEqualTo(Arrays.copyOfRange(raw, 1, raw.length));
          }
        });
  }

  @Test
  void rawFrameIsFormatCountAndLengthPrefixedSpans() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1), TestSpans.span(2).parent(1).padding(100),
        TestSpans.span(3).parent(2).padding(7));

    byte[] stored = RAW.encode(spans);

    assertThat(stored).isEqualTo(rawFrame(spans));
    ByteBuffer b = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.get()).isEqualTo((byte) 'R');
    assertThat(b.getInt()).isEqualTo(3);
    assertThat(b.getInt()).isEqualTo(spans.get(0).size());
    List<Span> decoded = RAW.decode(stored);
    assertThat(decoded).extracting(Span::spanId).containsExactly(1L, 2L, 3L);
    assertThat(bytesOf(decoded)).containsExactlyElementsOf(bytesOf(spans));
  }

  @Test
  void compressibleFrameIsStoredZstdAndComesBack() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1).padding(2_000), TestSpans.span(2).parent(1).padding(3_000),
        TestSpans.span(3).parent(1));

    byte[] stored = ZSTD.encode(spans);

    assertThat(stored[0]).isEqualTo((byte) 'Z');
    assertThat(stored.length).isLessThan(rawFrame(spans).length / 4);
    assertThat(Zstd.decompress(Arrays.copyOfRange(stored, 1, stored.length), rawFrame(spans).length - 1))
        .isEqualTo(Arrays.copyOfRange(rawFrame(spans), 1, rawFrame(spans).length));
    List<Span> decoded = ZSTD.decode(stored);
    assertThat(decoded).extracting(Span::spanId).containsExactly(1L, 2L, 3L);
    assertThat(bytesOf(decoded)).containsExactlyElementsOf(bytesOf(spans));
    // a codec without compression still reads what one with compression wrote
    assertThat(bytesOf(RAW.decode(stored))).containsExactlyElementsOf(bytesOf(spans));
  }

  @Test
  void frameBelowCompressionMinBytesStaysRaw() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1).padding(500), TestSpans.span(2).parent(1).padding(500));
    int size = rawFrame(spans).length;

    byte[] below = new FrameCodec(true, 3, size + 1, MAX).encode(spans);
    byte[] atMin = new FrameCodec(true, 3, size, MAX).encode(spans);

    assertThat(below).isEqualTo(rawFrame(spans));
    assertThat(atMin[0]).isEqualTo((byte) 'Z');
    assertThat(bytesOf(ZSTD.decode(below))).containsExactlyElementsOf(bytesOf(spans));
    assertThat(bytesOf(ZSTD.decode(atMin))).containsExactlyElementsOf(bytesOf(spans));
  }

  @Test
  void tinyFrameStaysRawWhenCompressionDoesNotPay() {
    FrameCodec always = new FrameCodec(true, 3, 0, MAX);

    assertThat(always.encode(List.of())).isEqualTo(new byte[] {'R', 0, 0, 0, 0});
    assertThat(always.decode(always.encode(List.of()))).isEmpty();
  }

  @Test
  void unknownFormatIsRefused() {
    byte[] raw = RAW.encode(TestSpans.parsed(TestSpans.span(1)));
    for (byte format : new byte[] {'r', 'z', 'X', 0, (byte) 0xff}) {
      byte[] stored = raw.clone();
      stored[0] = format;

      assertRefused(stored, "stored frame of " + stored.length + " bytes has no known format");
    }
    assertRefused(new byte[0], "stored frame of 0 bytes has no known format");
  }

  @Test
  void negativeSpanCountIsRefused() {
    byte[] span = TestSpans.span(1).bytes();
    for (int count : new int[] {-1, Integer.MIN_VALUE}) {
      byte[] raw = frame('R', count, span.length, span);
      byte[] zstd = zstd(raw);

      assertRefused(raw, "stored frame of " + raw.length + " bytes claims " + count + " spans");
      assertRefused(zstd, "stored frame of " + zstd.length + " bytes claims " + count + " spans");
    }
  }

  @Test
  void spanCountBeyondTheFrameIsCutShort() {
    byte[] span = TestSpans.span(1).bytes();
    for (byte[] raw : List.of(frame('R', 2, span.length, span), frame('R', 56, span.length, span),
        frame('R', Integer.MAX_VALUE, span.length, span), frame('R', Integer.MAX_VALUE), frame('R', 1))) {
      byte[] zstd = zstd(raw);

      assertRefused(raw, "stored frame of " + raw.length + " bytes is cut short");
      assertRefused(zstd, "stored frame of " + zstd.length + " bytes is cut short");
    }
  }

  @Test
  void spanLengthOutsideZeroToMaxUncompressedSpanBytesIsRefused() {
    byte[] span = TestSpans.span(1).bytes();
    for (int length : new int[] {-1, Integer.MIN_VALUE, MAX + 1, Integer.MAX_VALUE}) {
      // refused on the length alone, whatever follows
      String first = "stored frame's span 0 claims " + length + " bytes, more than maxUncompressedSpanBytes=" + MAX;
      String second = "stored frame's span 1 claims " + length + " bytes, more than maxUncompressedSpanBytes=" + MAX;
      for (byte[] raw : List.of(frame('R', 1, length, span), frame('R', 1, length))) {
        assertRefused(raw, first);
        assertRefused(zstd(raw), first);
      }
      byte[] raw = frame('R', 2, span.length, span, length, span);
      assertRefused(raw, second);
      assertRefused(zstd(raw), second);
    }
  }

  @Test
  void spanLongerThanWhatIsLeftIsCutShortInThatSpan() {
    byte[] span = TestSpans.span(1).bytes();
    byte[] overlong = frame('R', 1, span.length + 1, span);
    byte[] secondCut = frame('R', 2, span.length, span, 50, new byte[10]);
    byte[] atMax = frame('R', 1, MAX, span);

    for (byte[] raw : List.of(overlong, atMax)) {
      assertRefused(raw, "stored frame of " + raw.length + " bytes is cut short in span 0");
      byte[] zstd = zstd(raw);
      assertRefused(zstd, "stored frame of " + zstd.length + " bytes is cut short in span 0");
    }
    assertRefused(secondCut, "stored frame of " + secondCut.length + " bytes is cut short in span 1");
    byte[] zstd = zstd(secondCut);
    assertRefused(zstd, "stored frame of " + zstd.length + " bytes is cut short in span 1");
  }

  @Test
  void spanLongerThanMaxUncompressedSpanBytesIsRefused() {
    int max = 1024;
    FrameCodec strict = new FrameCodec(true, 3, 64, max);
    Span atMax = spanOfSize(5, max);
    Span overMax = spanOfSize(6, max + 1);
    assertThat(atMax.size()).isEqualTo(max);
    assertThat(overMax.size()).isEqualTo(max + 1);

    assertThat(bytesOf(strict.decode(RAW.encode(List.of(atMax))))).containsExactly(atMax.bytes());
    assertThat(bytesOf(strict.decode(ZSTD.encode(List.of(atMax))))).containsExactly(atMax.bytes());
    assertThat(ZSTD.encode(List.of(atMax, overMax))[0]).isEqualTo((byte) 'Z');
    for (byte[] stored : List.of(RAW.encode(List.of(atMax, overMax)), ZSTD.encode(List.of(atMax, overMax)))) {
      assertThatThrownBy(() -> strict.decode(stored))
          .isExactlyInstanceOf(SegbufException.class)
          .hasMessage("stored frame's span 1 claims " + (max + 1) + " bytes, more than maxUncompressedSpanBytes="
              + max);
    }
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] span = TestSpans.span(1).bytes();
    byte[] raw = frame('R', 1, span.length, span, new byte[] {1, 2, 3});
    byte[] rawNoSpans = frame('R', 0, new byte[] {0});
    byte[] zstd = zstd(raw);
    byte[] zstdNoSpans = zstd(rawNoSpans);

    assertRefused(raw, "stored frame of " + raw.length + " bytes has bytes after its 1 spans");
    assertRefused(zstd, "stored frame of " + zstd.length + " bytes has bytes after its 1 spans");
    assertRefused(rawNoSpans, "stored frame of " + rawNoSpans.length + " bytes has bytes after its 0 spans");
    assertRefused(zstdNoSpans, "stored frame of " + zstdNoSpans.length + " bytes has bytes after its 0 spans");
  }

  @Test
  void secondZstdFrameAfterTheFirstIsTrailingBytes() {
    byte[] one = RAW.encode(TestSpans.parsed(TestSpans.span(1)));
    byte[] two = zstd(one);
    byte[] stored = concat(two, Arrays.copyOfRange(two, 1, two.length));

    assertRefused(stored, "stored frame of " + stored.length + " bytes has bytes after its 1 spans");
  }

  @Test
  void spanThatDoesNotParseIsRefused() {
    byte[] notJson = "not json".getBytes(StandardCharsets.UTF_8);
    byte[] noSpanId = "{\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"project_id\":7,\"end_timestamp\":1.5}"
        .getBytes(StandardCharsets.UTF_8);
    byte[] good = TestSpans.span(1).bytes();

    for (byte[] stored : List.of(frame('R', 2, good.length, good, notJson.length, notJson),
        zstd(frame('R', 2, good.length, good, notJson.length, notJson)))) {
      assertThatThrownBy(() -> RAW.decode(stored))
          .isExactlyInstanceOf(SegbufException.class)
          .hasMessageStartingWith("stored span of 8 bytes does not parse: Invalid[");
    }
    for (byte[] stored : List.of(frame('R', 1, noSpanId.length, noSpanId), zstd(frame('R', 1, noSpanId.length,
        noSpanId)))) {
      assertThatThrownBy(() -> RAW.decode(stored))
          .isExactlyInstanceOf(SegbufException.class)
          .hasMessageStartingWith("stored span of " + noSpanId.length + " bytes does not parse: ")
          .hasMessageContaining("span_id is missing");
    }
  }

  @Test
  void everyProperPrefixOfARawFrameIsRefusedWhereItIsCut() {
    // every cut decodes the frame again: small spans keep it quick
    qt().withExamples(50).withShrinkCycles(SHRINK_CYCLES).forAll(lists().of(spans(200)).ofSizeBetween(0, 4))
        .checkAssert(spans -> {
          byte[] stored = RAW.encode(spans);
          for (int cut = 0; cut < stored.length; cut++) {
            byte[] prefix = Arrays.copyOf(stored, cut);

            assertThatThrownBy(() -> RAW.decode(prefix)).as("cut at %d of %d", cut, stored.length)
                .isExactlyInstanceOf(SegbufException.class)
                .hasMessage(cutShort(spans, cut));
          }
        });
  }

  @Test
  void everyProperPrefixOfAZstdFrameIsRefused() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1).padding(300), TestSpans.span(2).parent(1).padding(300));
    byte[] stored = ZSTD.encode(spans);
    assertThat(stored[0]).isEqualTo((byte) 'Z');

    assertRefused(Arrays.copyOf(stored, 0), "stored frame of 0 bytes has no known format");
    assertRefused(Arrays.copyOf(stored, 1), "stored frame of 1 bytes is cut short");
    for (int cut = 2; cut < stored.length; cut++) {
      byte[] prefix = Arrays.copyOf(stored, cut);

      assertNotZstd(assertThatThrownBy(() -> ZSTD.decode(prefix)).as("cut at %d of %d", cut, stored.length),
          prefix.length);
    }
  }

  @Test
  void formatByteAloneIsCutShort() {
    assertRefused(new byte[] {'Z'}, "stored frame of 1 bytes is cut short");
    assertRefused(new byte[] {'R'}, "stored frame of 1 bytes is cut short");
  }

  @Test
  void corruptZstdIsRefused() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1).padding(2_000), TestSpans.span(2).padding(2_000));
    byte[] stored = ZSTD.encode(spans);
    assertThat(stored[0]).isEqualTo((byte) 'Z');
    byte[] flipped = stored.clone();
    for (int i = 20; i < flipped.length - 8; i++) {
      flipped[i] ^= 0x5a;
    }
    byte[] oneBitFlipped = stored.clone();
    oneBitFlipped[stored.length / 2] ^= 1;
    byte[] cut = Arrays.copyOf(stored, stored.length - 3);
    byte[] trailing = concat(stored, new byte[] {1, 2, 3});

    for (byte[] bad : List.of(flipped, oneBitFlipped, cut, trailing)) {
      assertNotZstd(assertThatThrownBy(() -> ZSTD.decode(bad)), bad.length);
    }
  }

  @Test
  void zstdFrameWithAnInvalidHeaderIsRefusedAsNotZstd() {
    byte[] garbage = concat(new byte[] {'Z'}, "this is not zstd at all".getBytes(StandardCharsets.UTF_8));
    byte[] magicAlone = {'Z', 0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    assertNotZstd(assertThatThrownBy(() -> ZSTD.decode(garbage)), garbage.length);
    assertNotZstd(assertThatThrownBy(() -> ZSTD.decode(magicAlone)), magicAlone.length);
  }

  @Test
  void zstdFrameAskingForALargerWindowThanLevelsUpTo19UseIsRefused() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1), TestSpans.span(2).parent(1).padding(50));
    byte[] raw = rawFrame(spans);
    byte[] body = Arrays.copyOfRange(raw, 1, raw.length);
    assertThat(bytesOf(ZSTD.decode(streamed(body, 23)))).containsExactlyElementsOf(bytesOf(spans));
    byte[] larger = streamed(body, 24);
    assertNotZstd(assertThatThrownBy(() -> ZSTD.decode(larger)), larger.length);
  }

  @Test
  void zstdFrameWithoutItsContentSizeIsAccepted() {
    List<Span> spans = TestSpans.parsed(TestSpans.span(1), TestSpans.span(2).parent(1).padding(50));
    byte[] raw = rawFrame(spans);
    byte[] body = Arrays.copyOfRange(raw, 1, raw.length);
    byte[] stored = streamed(body, 0);
    // a streamed frame does not record its content size
    assertThat(Zstd.getFrameContentSize(stored, 1, stored.length - 1)).isNegative();
    assertThat(Zstd.decompress(Arrays.copyOfRange(stored, 1, stored.length), body.length)).isEqualTo(body);

    assertThat(bytesOf(ZSTD.decode(stored))).containsExactlyElementsOf(bytesOf(spans));
    assertThat(bytesOf(RAW.decode(stored))).containsExactlyElementsOf(bytesOf(spans));
  }

  @Test
  void zstdFrameWhoseHeaderClaimsAnotherContentSizeIsRefused() {
    byte[] raw = RAW.encode(TestSpans.parsed(TestSpans.span(1)));
    byte[] body = Arrays.copyOfRange(raw, 1, raw.length);
    // the same content in one raw zstd block, its header stating a content size (4 bytes) and a 1 KiB window
    assertThat(bytesOf(ZSTD.decode(zstdRawBlock(0x80, body.length, 4, body))))
        .containsExactlyElementsOf(bytesOf(RAW.decode(raw)));

    for (byte[] lying : List.of(
        zstdRawBlock(0x80, Integer.MAX_VALUE - 17, 4, body), // far more than it holds
        zstdRawBlock(0x80, body.length - 1, 4, body), // less than it holds
        zstdRawBlock(0xc0, Long.MAX_VALUE, 8, body), // an 8-byte size
        zstdRawBlock(0xa0, Integer.MAX_VALUE - 17, 4, body))) { // one segment: its window is that size
      assertNotZstd(assertThatThrownBy(() -> ZSTD.decode(lying)), lying.length);
    }
  }

  /** Any flipped bytes: a frame decodes to spans or is refused as stored bytes, never fails otherwise. */
  @Test
  void flippedBytesDecodeOrAreRefused() {
    Gen<int[]> flip = integers().between(0, Integer.MAX_VALUE).zip(integers().between(1, 255),
        (position, mask) -> new int[] {position, mask});
    qt().withExamples(300).withShrinkCycles(SHRINK_CYCLES)
        .forAll(lists().of(spans()).ofSizeBetween(1, 3), booleans().all(), lists().of(flip).ofSizeBetween(1, 3))
        .checkAssert((spans, compression, flips) -> {
          byte[] stored = (compression ? ZSTD : RAW).encode(spans);
          for (int[] f : flips) {
            stored[f[0] % stored.length] ^= (byte) f[1];
          }
          List<Span> decoded;
          try {
            decoded = ZSTD.decode(stored);
          } catch (SegbufException e) {
            assertThat(e).isExactlyInstanceOf(SegbufException.class).hasMessageStartingWith("stored ");
            return;
          }
          // what decodes is exactly what was stored
          byte[] raw = rawFrame(decoded);
          if (stored[0] == 'R') {
            assertThat(stored).isEqualTo(raw);
          } else {
            assertThat(Zstd.decompress(Arrays.copyOfRange(stored, 1, stored.length), raw.length - 1))
                .isEqualTo(Arrays.copyOfRange(raw, 1, raw.length));
          }
        });
  }

  /** What decoding the first {@code cut} bytes of the raw frame of {@code spans} must say, walked here. */
  private static String cutShort(List<Span> spans, int cut) {
    if (cut == 0) {
      return "stored frame of 0 bytes has no known format";
    }
    int at = 1 + 4;
    for (int i = 0; i < spans.size() && cut >= at; i++) {
      if (cut < at + 4) {
        break;
      }
      at += 4 + spans.get(i).size();
      if (cut < at) {
        return "stored frame of " + cut + " bytes is cut short in span " + i;
      }
    }
    return "stored frame of " + cut + " bytes is cut short";
  }

  private static void assertRefused(byte[] stored, String message) {
    assertThatThrownBy(() -> RAW.decode(stored))
        .isExactlyInstanceOf(SegbufException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> ZSTD.decode(stored))
        .isExactlyInstanceOf(SegbufException.class)
        .hasMessage(message);
  }

  /** Refused as not zstd, naming the stored length and what zstd said. */
  private static void assertNotZstd(AbstractThrowableAssert<?, ? extends Throwable> refused, int storedLength) {
    refused.isExactlyInstanceOf(SegbufException.class)
        .hasCauseInstanceOf(IOException.class)
        .satisfies(e -> assertThat(e).hasMessage("stored frame of " + storedLength
            + " bytes is not a valid zstd frame: " + e.getCause()));
  }

  /** A span of exactly {@code size} bytes. */
  private static Span spanOfSize(long id, int size) {
    int withOne = TestSpans.span(id).padding(1).bytes().length;
    return TestSpans.span(id).padding(1 + size - withOne).parsed();
  }

  /** The raw frame of {@code spans}, built here rather than by the codec. */
  private static byte[] rawFrame(List<Span> spans) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('R');
    out.writeBytes(le(spans.size()));
    for (Span s : spans) {
      out.writeBytes(le(s.size()));
      out.writeBytes(s.bytes());
    }
    return out.toByteArray();
  }

  /** A stored value from a format byte, then ints (little-endian) and byte arrays in order. */
  private static byte[] frame(char format, Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(format);
    for (Object p : parts) {
      out.writeBytes(p instanceof Integer i ? le(i) : (byte[]) p);
    }
    return out.toByteArray();
  }

  /**
   * A raw frame's body compressed as a stream, as a 'Z' frame: no content size recorded, and the window of
   * {@code windowLog} (zstd's choice for 0).
   */
  private static byte[] streamed(byte[] body, int windowLog) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('Z');
    try (ZstdOutputStream z = new ZstdOutputStream(out)) {
      if (windowLog > 0) {
        z.setWindowLog(windowLog);
      }
      z.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The raw frame's body compressed, as a 'Z' frame (with its content size recorded). */
  private static byte[] zstd(byte[] raw) {
    assertThat(raw[0]).isEqualTo((byte) 'R');
    return concat(new byte[] {'Z'}, Zstd.compress(Arrays.copyOfRange(raw, 1, raw.length), 3));
  }

  /**
   * A 'Z' frame made by hand: zstd's magic, a frame header descriptor ({@code descriptor}: bits 7-6 the size of the
   * content size field, bit 5 single segment), a 1 KiB window unless single segment, the content size as stated,
   * and {@code content} as one last raw block.
   */
  private static byte[] zstdRawBlock(int descriptor, long contentSize, int sizeBytes, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('Z');
    out.writeBytes(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});
    out.write(descriptor);
    if ((descriptor & 0x20) == 0) {
      out.write(0); // window descriptor: 2^10 bytes
    }
    for (int i = 0; i < sizeBytes; i++) {
      out.write((int) (contentSize >>> (8 * i)));
    }
    int blockHeader = 1 | content.length << 3; // last block, raw, its size
    out.write(blockHeader);
    out.write(blockHeader >>> 8);
    out.write(blockHeader >>> 16);
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] le(int value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static List<byte[]> bytesOf(List<Span> spans) {
    return spans.stream().map(Span::bytes).toList();
  }
}

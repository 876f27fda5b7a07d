package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Patching against a reference model. The generator writes each span twice at once: as it arrives, and as the
 * patch must leave it (the same bytes with only the {@code is_segment} value and the segment id entry changed).
 */
class SpanPatchProperties {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .build();

  private static final List<String> SPACE = List.of("", "", "", " ", "\n", "\t", "\r\n", " \t\n ");
  private static final List<String> STRING_PIECES = List.of("a", "op", "é", "日本", "😀", "\\\"", "\\\\", "\\n",
      "\\u00e9", "\\ud83d\\ude00", "\\/", " ", "{", "}", "[", "]", ":", ",", "null", "\\\"is_segment\\\":true",
      "\\\"attributes\\\":{}", "\\t");
  private static final List<String> NUMBERS = List.of("0", "-1", "42", "3.25", "-0.5", "1e5", "2.5E-3",
      "12345678901234567890", "-0");
  private static final List<String> KEYS = List.of("a", "name", "data", "é", "", "is_segment", "attributes",
      "trace_id", "span_id", "sentry.segment.id", "value", "type");
  private static final List<String> EXTRA_FIELDS = List.of("name", "description", "data", "Is_segment",
      "is_segment ", "attributes2", "sentry.segment.id", "segment_id", "日本", "", "value");
  private static final List<String> ATTRIBUTE_NAMES = List.of("sentry.op", "sentry.segment.id.x",
      "Sentry.segment.id", "sentry.segment.name", "x", "é", "");

  enum IsSegment { ABSENT, TRUE, FALSE, NULL }

  enum Attributes { ABSENT, NULL, EMPTY, OTHERS, EXPLICIT }

  /** One generated span, its segment id, and the bytes the patch must produce. */
  record PatchCase(
      byte[] input, byte[] expected, long segmentId, long spanId, @Nullable Long parent, long projectId,
      IsSegment isSegment, Attributes attributes, long explicitId) {
    String describe() {
      return "segmentId=" + Hex.toHex(segmentId) + " span:\n" + new String(input, StandardCharsets.UTF_8);
    }
  }

  /** Writes the input and the expected patched output side by side. */
  private static final class Twin {
    final StringBuilder in = new StringBuilder();
    final StringBuilder out = new StringBuilder();

    Twin both(String s) {
      in.append(s);
      out.append(s);
      return this;
    }

    Twin inOnly(String s) {
      in.append(s);
      return this;
    }

    Twin outOnly(String s) {
      out.append(s);
      return this;
    }
  }

  private static String entry(long segmentId) {
    return "\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"" + Hex.toHex(segmentId) + "\"}";
  }

  // ---- generators, drawing from QuickTheories' randomness so that failures shrink

  private static int between(RandomnessSource in, int min, int max) {
    return integers().between(min, max).generate(in);
  }

  private static <T> T pick(RandomnessSource in, List<T> from) {
    return from.get(between(in, 0, from.size() - 1));
  }

  private static String ws(RandomnessSource in) {
    return pick(in, SPACE);
  }

  private static String string(RandomnessSource in) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = between(in, 0, 5); i > 0; i--) {
      b.append(pick(in, STRING_PIECES));
    }
    return b.append('"').toString();
  }

  private static String quoted(String name) {
    return "\"" + name + "\"";
  }

  /** Any JSON value; containers only while {@code depth} lasts. */
  private static String value(RandomnessSource in, int depth) {
    switch (between(in, 0, depth > 0 ? 5 : 2)) {
      case 0:
        return string(in);
      case 1:
        return pick(in, NUMBERS);
      case 2:
        return pick(in, List.of("true", "false", "null"));
      case 3:
      case 4: {
        StringBuilder b = new StringBuilder("{").append(ws(in));
        Set<String> used = new HashSet<>();
        for (int i = between(in, 0, 3); i > 0; i--) {
          String key = pick(in, KEYS);
          if (!used.add(key)) {
            continue;
          }
          if (used.size() > 1) {
            b.append(',').append(ws(in));
          }
          b.append(quoted(key)).append(ws(in)).append(':').append(ws(in)).append(value(in, depth - 1))
              .append(ws(in));
        }
        return b.append('}').toString();
      }
      default: {
        StringBuilder b = new StringBuilder("[").append(ws(in));
        int n = between(in, 0, 3);
        for (int i = 0; i < n; i++) {
          b.append(i > 0 ? "," + ws(in) : "").append(value(in, depth - 1)).append(ws(in));
        }
        return b.append(']').toString();
      }
    }
  }

  private static String hex(RandomnessSource in) {
    return Hex.toHex(longs().all().generate(in));
  }

  /** A top-level field: its name, and what it writes as its value. */
  private record Field(String name, Consumer<Twin> value) {}

  private static final Gen<PatchCase> CASES = in -> {
    long spanId = longs().between(0, 3).generate(in) == 0 ? longs().all().generate(in) : between(in, 1, 3);
    int parentKind = between(in, 0, 2);
    Long parent = parentKind == 2 ? Long.valueOf(longs().all().generate(in)) : null;
    int segmentKind = between(in, 0, 2);
    long segmentId = segmentKind == 0 ? spanId : segmentKind == 1 && parent != null ? parent : between(in, 1, 4);
    long projectId = longs().between(1, Long.MAX_VALUE).generate(in);
    IsSegment isSegment = pick(in, List.of(IsSegment.values()));
    Attributes attributes = pick(in, List.of(Attributes.values()));
    long explicitId = longs().all().generate(in);
    String bool = Boolean.toString(spanId == segmentId);

    List<Field> fields = new ArrayList<>();
    String trace = hex(in) + hex(in);
    fields.add(new Field("trace_id", t -> t.both(quoted(trace))));
    fields.add(new Field("span_id", t -> t.both(quoted(Hex.toHex(spanId)))));
    if (parentKind == 1) {
      fields.add(new Field("parent_span_id", t -> t.both("null")));
    } else if (parent != null) {
      fields.add(new Field("parent_span_id", t -> t.both(quoted(Hex.toHex(parent)))));
    }
    fields.add(new Field("project_id", t -> t.both(Long.toString(projectId))));
    String end = pick(in, List.of("1700000000.5", "1700000000", "1.7e9", "0", "-3.5E-2"));
    fields.add(new Field("end_timestamp", t -> t.both(end)));
    int receivedKind = between(in, 0, 2);
    if (receivedKind > 0) {
      String received = receivedKind == 1 ? "null" : "1700000001.25";
      fields.add(new Field("received", t -> t.both(received)));
    }
    if (isSegment != IsSegment.ABSENT) {
      String original = isSegment.name().toLowerCase(java.util.Locale.ROOT);
      fields.add(new Field("is_segment", t -> t.inOnly(original).outOnly(bool)));
    }
    if (attributes != Attributes.ABSENT) {
      fields.add(new Field("attributes", attributesValue(in, attributes, segmentId, explicitId)));
    }
    Set<String> names = new HashSet<>();
    for (int i = between(in, 0, 4); i > 0; i--) {
      String name = pick(in, EXTRA_FIELDS);
      if (names.add(name)) {
        String value = value(in, 3);
        fields.add(new Field(name, t -> t.both(value)));
      }
    }
    for (int i = fields.size() - 1; i > 0; i--) {
      int j = between(in, 0, i);
      Field f = fields.get(i);
      fields.set(i, fields.get(j));
      fields.set(j, f);
    }

    Twin t = new Twin().both(ws(in)).both("{");
    if (isSegment == IsSegment.ABSENT) {
      t.outOnly("\"is_segment\":" + bool + ",");
    }
    if (attributes == Attributes.ABSENT) {
      t.outOnly("\"attributes\":{" + entry(segmentId) + "},");
    }
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      t.both(i > 0 ? "," : "").both(ws(in)).both(quoted(f.name())).both(ws(in)).both(":").both(ws(in));
      f.value().accept(t);
      t.both(ws(in));
    }
    t.both("}").both(ws(in));
    return new PatchCase(
        t.in.toString().getBytes(StandardCharsets.UTF_8), t.out.toString().getBytes(StandardCharsets.UTF_8),
        segmentId, spanId, parent, projectId, isSegment, attributes, explicitId);
  };

  private static Consumer<Twin> attributesValue(
      RandomnessSource in, Attributes kind, long segmentId, long explicitId) {
    switch (kind) {
      case NULL:
        return t -> t.inOnly("null").outOnly("{" + entry(segmentId) + "}");
      case EMPTY: {
        String inside = ws(in);
        return t -> t.both("{").outOnly(entry(segmentId)).both(inside + "}");
      }
      default: {
        List<String> entries = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = between(in, kind == Attributes.OTHERS ? 1 : 0, 3); i > 0; i--) {
          String name = pick(in, ATTRIBUTE_NAMES);
          if (used.add(name)) {
            entries.add(quoted(name) + ws(in) + ":" + ws(in) + value(in, 2) + ws(in));
          }
        }
        if (kind == Attributes.EXPLICIT) {
          List<String> members = new ArrayList<>(List.of(
              "\"type\"" + ws(in) + ":" + ws(in) + "\"string\"",
              "\"value\"" + ws(in) + ":" + ws(in) + quoted(Hex.toHex(explicitId))));
          if (between(in, 0, 2) == 0) {
            members.add(between(in, 0, 2), "\"extra\":" + value(in, 1));
          }
          if (between(in, 0, 1) == 0) {
            members.add(members.remove(0));
          }
          String explicit = "\"sentry.segment.id\"" + ws(in) + ":" + ws(in) + "{" + ws(in)
              + String.join("," + ws(in), members) + ws(in) + "}" + ws(in);
          entries.add(between(in, 0, entries.size()), explicit);
        }
        String lead = ws(in);
        String body = String.join(",", entries);
        return kind == Attributes.EXPLICIT
            ? t -> t.both("{" + lead + body + "}")
            : t -> t.both("{").outOnly(entry(segmentId) + ",").both(lead + body + "}");
      }
    }
  }

  private static final Gen<PatchCase> DESCRIBED = CASES.describedAs(PatchCase::describe);

  private static Span parse(byte[] bytes) {
    ParseResult r = Span.parse(bytes);
    assertThat(r).as("parse result").isInstanceOf(Span.class);
    return (Span) r;
  }

  private static JsonNode tree(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(new String(bytes, StandardCharsets.UTF_8), e);
    }
  }

  private static byte[] patch(Span span, long segmentId) {
    byte[] out = new byte[Spans.patchedLength(span, segmentId)];
    assertThat(Spans.writePatched(span, segmentId, out, 0)).isEqualTo(out.length);
    return out;
  }

  @Test
  void generatedSpansParseToTheirFields() {
    qt().forAll(DESCRIBED).checkAssert(c -> {
      Span span = parse(c.input());
      assertThat(span.spanId()).isEqualTo(c.spanId());
      assertThat(span.projectId()).isEqualTo(c.projectId());
      assertThat(span.hasParent()).isEqualTo(c.parent() != null);
      if (c.parent() != null) {
        assertThat(span.parentSpanId()).isEqualTo(c.parent());
      }
      assertThat(span.isSegmentFlag()).isEqualTo(c.isSegment() == IsSegment.TRUE);
      assertThat(span.hasExplicitSegmentId()).isEqualTo(c.attributes() == Attributes.EXPLICIT);
      if (c.attributes() == Attributes.EXPLICIT) {
        assertThat(span.explicitSegmentId()).isEqualTo(c.explicitId());
      }
    });
  }

  @Test
  void writesExactlyPatchedLengthBytesAndNothingOutsideThem() {
    qt().forAll(DESCRIBED, integers().between(0, 7)).checkAssert((c, pos) -> {
      Span span = parse(c.input());
      int length = Spans.patchedLength(span, c.segmentId());
      byte[] out = new byte[pos + length + 7];
      Arrays.fill(out, (byte) 0x55);
      assertThat(Spans.writePatched(span, c.segmentId(), out, pos)).isEqualTo(pos + length);
      for (int i = 0; i < out.length; i++) {
        if (i < pos || i >= pos + length) {
          assertThat(out[i]).as("byte %d outside the written range", i).isEqualTo((byte) 0x55);
        }
      }
    });
  }

  @Test
  void patchChangesOnlyIsSegmentAndTheSegmentIdEntry() {
    qt().forAll(DESCRIBED).checkAssert(c -> {
      byte[] out = patch(parse(c.input()), c.segmentId());
      assertThat(new String(out, StandardCharsets.UTF_8))
          .isEqualTo(new String(c.expected(), StandardCharsets.UTF_8));
    });
  }

  @Test
  void patchedTreeIsTheOriginalTreeWithSegmentFields() {
    qt().forAll(DESCRIBED).checkAssert(c -> {
      ObjectNode expected = (ObjectNode) tree(c.input());
      expected.put("is_segment", c.spanId() == c.segmentId());
      if (c.attributes() != Attributes.EXPLICIT) {
        JsonNode attributes = expected.get("attributes");
        ObjectNode object = attributes instanceof ObjectNode o ? o : expected.putObject("attributes");
        object.putObject("sentry.segment.id").put("type", "string").put("value", Hex.toHex(c.segmentId()));
      }
      assertThat(tree(patch(parse(c.input()), c.segmentId()))).isEqualTo(expected);
    });
  }

  @Test
  void patchedTreeWithoutSegmentFieldsIsTheOriginalTree() {
    qt().forAll(DESCRIBED).checkAssert(c -> {
      JsonNode out = tree(patch(parse(c.input()), c.segmentId()));
      assertThat(withoutSegmentFields(out, c.attributes()))
          .isEqualTo(withoutSegmentFields(tree(c.input()), c.attributes()));
    });
  }

  /** Removes {@code is_segment}, and the segment id entry (with an {@code attributes} left empty) unless explicit. */
  private static JsonNode withoutSegmentFields(JsonNode tree, Attributes kind) {
    ObjectNode copy = (ObjectNode) tree.deepCopy();
    copy.remove("is_segment");
    if (kind == Attributes.EXPLICIT) {
      return copy;
    }
    if (copy.get("attributes") instanceof ObjectNode attributes) {
      attributes.remove("sentry.segment.id");
    }
    JsonNode attributes = copy.get("attributes");
    if (attributes != null && (attributes.isNull() || attributes.isEmpty())) {
      copy.remove("attributes");
    }
    return copy;
  }

  @Test
  void patchedSpanParsesAsTheSameSpanNamingItsSegment() {
    qt().forAll(DESCRIBED).checkAssert(c -> {
      Span span = parse(c.input());
      Span patched = parse(patch(span, c.segmentId()));
      assertThat(patched.spanId()).isEqualTo(span.spanId());
      assertThat(patched.traceId()).isEqualTo(span.traceId());
      assertThat(patched.projectId()).isEqualTo(span.projectId());
      assertThat(patched.hasParent()).isEqualTo(span.hasParent());
      assertThat(patched.endTimestamp()).isEqualTo(span.endTimestamp());
      assertThat(patched.isSegmentFlag()).isEqualTo(c.spanId() == c.segmentId());
      assertThat(patched.hasExplicitSegmentId()).isTrue();
      assertThat(patched.explicitSegmentId())
          .isEqualTo(c.attributes() == Attributes.EXPLICIT ? c.explicitId() : c.segmentId());
    });
  }

  @Test
  void patchingTwiceChangesNothingMore() {
    qt().forAll(DESCRIBED).checkAssert(c -> {
      byte[] once = patch(parse(c.input()), c.segmentId());
      assertThat(patch(parse(once), c.segmentId())).isEqualTo(once);
    });
  }
}

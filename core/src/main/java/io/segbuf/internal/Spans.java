package io.segbuf.internal;

import io.segbuf.Span;
import java.lang.invoke.MethodHandles;
import org.jspecify.annotations.Nullable;

/**
 * What core's implementation needs of a {@link Span} that the public API does not show: building one from a
 * parser's {@link SpanFields}, its digest, and its bytes patched for a segment. {@link Span} hands over the one
 * {@link Access} when its class is initialised (the JDK's shared-secrets pattern), so that its constructor, the
 * positions of its patchable values and these methods stay out of the API. Thread-safe.
 */
public final class Spans {
  private static volatile @Nullable Access access;

  private Spans() {}

  /** Span's side of the bridge, implemented by a private class of {@link Span}. */
  public interface Access {
    Span span(byte[] bytes, SpanFields fields);

    long digest(Span span);

    int patchedLength(Span span, long segmentId);

    int writePatched(Span span, long segmentId, byte[] out, int pos);
  }

  /** Called once, by {@link Span}'s static initialiser. */
  public static void register(Access spanAccess) {
    if (access != null) {
      throw new IllegalStateException("the span access must be registered once but was registered twice");
    }
    access = spanAccess;
  }

  /** The span of {@code fields} over {@code bytes}; the span copies the fields, which may then be reused. */
  public static Span create(byte[] bytes, SpanFields fields) {
    return access().span(bytes, fields);
  }

  /**
   * A 64-bit hash of the span's bytes (not cryptographic): kept after the payload is flushed, to recognise a
   * redelivered copy.
   */
  public static long digest(Span span) {
    return access().digest(span);
  }

  /** The length of the span once patched for {@code segmentId}, as {@link #writePatched} writes it. */
  public static int patchedLength(Span span, long segmentId) {
    return access().patchedLength(span, segmentId);
  }

  /**
   * Writes the span patched for {@code segmentId} (docs/design.md §4.3): {@code is_segment} set to {@code span_id
   * == segmentId}, and {@code attributes["sentry.segment.id"]} added when the span has none; every other byte as
   * it is.
   *
   * @return the position after the last byte written
   */
  public static int writePatched(Span span, long segmentId, byte[] out, int pos) {
    return access().writePatched(span, segmentId, out, pos);
  }

  private static Access access() {
    Access a = access;
    if (a != null) {
      return a;
    }
    try {
      MethodHandles.lookup().ensureInitialized(Span.class);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("Span must be accessible to core's implementation but was not", e);
    }
    a = access;
    if (a == null) {
      throw new IllegalStateException("Span must register its access when initialised but did not");
    }
    return a;
  }
}

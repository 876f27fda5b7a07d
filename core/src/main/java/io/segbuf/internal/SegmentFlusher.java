package io.segbuf.internal;

import io.segbuf.ChunkResult;
import io.segbuf.Chunker;
import io.segbuf.FlushReason;
import io.segbuf.FlushResult;
import io.segbuf.Message;
import io.segbuf.Outcome;
import io.segbuf.Segment;
import io.segbuf.SegmentFailure;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.spi.Completion;
import io.segbuf.spi.DueSegment;
import io.segbuf.spi.FatalSinkException;
import io.segbuf.spi.RejectedMessageException;
import io.segbuf.spi.SealedSegment;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The flush sequence of docs/design.md §4 for a list of due segments: seal → read → order → patch, chunk and encode →
 * send → wait for every acknowledgement → complete. The segments a pass takes are sealed together, in one call of the
 * store (one command for a store that records its changes elsewhere), before any is sent; those not sent when the sink
 * starts failing stay sealed and due, and go out with the same flush ids in a later cycle. Messages of many segments
 * are in flight at once (up to a byte limit); a segment is completed only when every one of its messages is
 * acknowledged or refused for good, and left sealed for a retry otherwise; the segments settled together are completed
 * in one call of the store (one command for a store that records its changes elsewhere). A segment whose seal, read,
 * encoding or completion throws is backed off on its own ({@link SegmentBackoff}) and the rest of the shard goes on. A
 * {@link FatalSinkException} from the sink is thrown once the messages in flight are settled.
 */
public final class SegmentFlusher {
  /** Encoded bytes in flight before the flusher waits for acknowledgements. */
  static final long MAX_IN_FLIGHT_BYTES = 64L * 1024 * 1024;

  private final SegmentStore store;
  private final SegmentSink sink;
  private final Chunker chunker;
  private final Duration sendTimeout;
  private final StatsRecorder stats;
  private final SegmentBackoff backoff = new SegmentBackoff();

  public SegmentFlusher(
      SegmentStore store, SegmentSink sink, Chunker chunker, Duration sendTimeout, StatsRecorder stats) {
    this.store = store;
    this.sink = sink;
    this.chunker = chunker;
    this.sendTimeout = sendTimeout;
    this.stats = stats;
  }

  /**
   * Flushes at most {@code limit} segments of {@code shard} that are due at {@code dueAt}, oldest deadline first,
   * skipping those in back-off after a failure. A segment whose seal, read or encoding throws is backed off alone
   * and reported in {@link FlushResult#failed()}; the next ones take its turn.
   *
   * @param reasonOverride the reason to count instead of each segment's own, or null
   * @throws FatalSinkException when the sink failed for good; the segments it hit stay sealed
   */
  public FlushResult flush(int shard, Instant dueAt, int limit, @Nullable FlushReason reasonOverride, Instant now) {
    FlushResult result = FlushResult.EMPTY;
    AtomicBoolean sinkFailing = new AtomicBoolean();
    AtomicReference<@Nullable FatalSinkException> fatal = new AtomicReference<>();
    int started = 0;
    boolean listAgain = true;
    while (listAgain && started < limit && !sinkFailing.get()) {
      int listed = limit - started + backoff.count(shard);
      List<DueSegment> due = store.due(shard, dueAt, listed);
      if (due.size() < listed && backoff.count(shard) > 0) {
        backoff.keepOnly(shard, keys(due), now.toEpochMilli()); // every segment due is listed
      }
      if (due.isEmpty()) {
        break; // the common cycle: nothing due, nothing to allocate
      }
      Pass pass = flushListed(shard, due, limit - started, reasonOverride, now, sinkFailing, fatal);
      result = result.plus(pass.result);
      started += pass.started;
      // segments that failed in this pass left room for others beyond the list
      listAgain = !pass.result.failed().isEmpty() && due.size() == listed;
    }
    FatalSinkException fatalFailure = fatal.get();
    if (fatalFailure != null) {
      throw fatalFailure;
    }
    return result;
  }

  private Pass flushListed(int shard, List<DueSegment> due, int limit, @Nullable FlushReason reasonOverride,
      Instant now, AtomicBoolean sinkFailing, AtomicReference<@Nullable FatalSinkException> fatal) {
    FlushResult result = FlushResult.EMPTY;
    List<InFlight> inFlight = new ArrayList<>();
    List<SegmentFailure> failed = new ArrayList<>();
    long inFlightBytes = 0;
    int started = 0;
    int next = 0;
    // A sink that fails (a broker away) would fail the rest too, each send perhaps after a wait of its own: the
    // segments not sent yet stay due for the next cycle, sealed or not.
    while (next < due.size() && started < limit && !sinkFailing.get()) {
      List<DueSegment> toSeal = new ArrayList<>(Math.min(due.size() - next, limit - started));
      while (next < due.size() && toSeal.size() < limit - started) {
        DueSegment segment = due.get(next++);
        if (!backoff.waiting(shard, segment.key(), now.toEpochMilli())) {
          toSeal.add(segment);
        }
      }
      for (Sealed sealed : seal(shard, toSeal, now, failed)) {
        if (sinkFailing.get()) {
          break; // sealed and not sent: sent with the same flush ids once due again
        }
        InFlight sent;
        try {
          sent = send(shard, sealed.segment,
              reasonOverride != null ? reasonOverride : sealed.due.reason(), sinkFailing);
        } catch (RuntimeException e) {
          failed.add(fail(shard, sealed.segment.key(), e, now));
          continue;
        }
        started++; // a segment that failed does not count: the ones behind it get its turn
        inFlight.add(sent);
        inFlightBytes += sent.bytes;
        if (inFlightBytes > MAX_IN_FLIGHT_BYTES) {
          result = result.plus(settle(inFlight, now, fatal));
          inFlight.clear();
          inFlightBytes = 0;
        }
      }
    }
    result = result.plus(settle(inFlight, now, fatal));
    if (!failed.isEmpty()) {
      result = result.plus(new FlushResult(0, 0, 0, List.of(), 0, failed, List.of()));
    }
    return new Pass(result, started);
  }

  /**
   * Seals the segments together, before any is sent (a store that records changes elsewhere records them in one
   * go); when that fails, each alone, so that only those whose seal fails are backed off (sealing one again gives
   * the same generation; a segment sealed on its own is backed off at once). Returns those sealed, in order; a
   * segment that holds nothing is healthy again.
   */
  private List<Sealed> seal(int shard, List<DueSegment> segments, Instant now, List<SegmentFailure> failed) {
    if (segments.isEmpty()) {
      return List.of();
    }
    List<SegmentKey> keys = new ArrayList<>(segments.size());
    for (DueSegment segment : segments) {
      keys.add(segment.key());
    }
    List<@Nullable SealedSegment> together;
    try {
      together = store.seal(keys, now);
    } catch (RuntimeException e) {
      if (segments.size() == 1) {
        failed.add(fail(shard, keys.get(0), e, now)); // its own failure: sealing it again alone adds nothing
        return List.of();
      }
      together = null;
    }
    List<Sealed> sealed = new ArrayList<>(segments.size());
    for (int i = 0; i < segments.size(); i++) {
      SegmentKey key = keys.get(i);
      SealedSegment segment;
      if (together != null) {
        segment = together.get(i);
      } else {
        try {
          segment = store.seal(key, now);
        } catch (RuntimeException e) {
          failed.add(fail(shard, key, e, now));
          continue;
        }
      }
      if (segment == null) {
        backoff.succeeded(shard, key);
      } else {
        sealed.add(new Sealed(segments.get(i), segment));
      }
    }
    return sealed;
  }

  /** A due segment and the generation sealed to flush it. */
  private record Sealed(DueSegment due, SealedSegment segment) {}

  private record Pass(FlushResult result, int started) {}

  private static Set<SegmentKey> keys(List<DueSegment> due) {
    Set<SegmentKey> keys = new HashSet<>(due.size() * 2);
    for (DueSegment segment : due) {
      keys.add(segment.key());
    }
    return keys;
  }

  /** Segments whose flush failed and that wait for their retry, on every shard. */
  public int backedOffSegments() {
    return backoff.count();
  }

  /** The store no longer holds {@code shard}: its segments' back-offs go. Not while the shard is flushed. */
  public void forget(int shard) {
    backoff.forget(shard);
  }

  private SegmentFailure fail(int shard, SegmentKey key, RuntimeException e, Instant now) {
    stats.failedSegments.increment();
    return new SegmentFailure(key, backoff.failed(shard, key, now.toEpochMilli()), e);
  }

  private InFlight send(int shard, SealedSegment sealed, FlushReason reason, AtomicBoolean sinkFailing) {
    List<Span> spans = store.read(sealed);
    ChunkResult chunks = chunker.chunk(Segment.of(sealed.key(), sealed.generation(), sealed.skipEnrichment(), spans));
    List<Message> messages = chunks.messages();
    List<CompletableFuture<?>> acks = new ArrayList<>(messages.size());
    long bytes = 0;
    for (Message message : messages) {
      bytes += message.size();
      stats.largestMessageBytes.accumulateAndGet(message.size(), Math::max);
      CompletableFuture<?> ack = sendOne(message);
      ack.whenComplete((ok, error) -> {
        if (error != null && !(unwrap(error) instanceof RejectedMessageException)) {
          sinkFailing.set(true);
        }
      });
      acks.add(ack);
    }
    return new InFlight(shard, sealed, spans, reason, chunks, acks, bytes);
  }

  private CompletableFuture<?> sendOne(Message message) {
    try {
      return sink.send(message).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private FlushResult settle(List<InFlight> inFlight, Instant now,
      AtomicReference<@Nullable FatalSinkException> fatal) {
    long deadline = System.nanoTime() + sendTimeout.toNanos();
    int retries = 0;
    List<Settled> settled = new ArrayList<>();
    for (InFlight f : inFlight) {
      boolean retry = false;
      List<Outcome.Rejected> refused = new ArrayList<>();
      int acked = 0;
      long ackedSpans = 0;
      long ackedBytes = 0;
      List<Message> sent = f.chunks.messages();
      for (int i = 0; i < sent.size(); i++) {
        Message message = sent.get(i);
        Throwable failure = await(f.acks.get(i), deadline);
        if (failure == null) {
          acked++;
          ackedSpans += message.spanCount();
          ackedBytes += message.size();
        } else if (failure instanceof RejectedMessageException) {
          refused.add(new Outcome.Rejected(message.segment(), message.generation(), message.chunkIndex(),
              message.spanCount(), String.valueOf(failure.getMessage())));
        } else {
          if (failure instanceof FatalSinkException) {
            fatal.set((FatalSinkException) failure);
          }
          retry = true;
        }
      }
      if (retry) {
        stats.sendFailures.increment();
        retries++;
        continue;
      }
      settled.add(new Settled(f, acked, ackedSpans, ackedBytes, refused));
    }
    List<SegmentFailure> failed = new ArrayList<>();
    int segments = 0;
    int messages = 0;
    long spans = 0;
    List<Outcome.Rejected> rejected = new ArrayList<>();
    List<Span> completed = new ArrayList<>();
    for (Settled s : complete(settled, failed, now)) {
      InFlight f = s.inFlight;
      backoff.succeeded(f.shard, f.sealed.key());
      completed.addAll(f.spans);
      segments++;
      messages += s.acked;
      spans += s.ackedSpans;
      rejected.addAll(s.refused);
      stats.flushedMessages.add(s.acked);
      stats.flushedSpans.add(s.ackedSpans);
      stats.flushedMessageBytes.add(s.ackedBytes);
      stats.rejectedMessages.add(s.refused.size());
      stats.rejectedSpans.add(f.sealed.spans() - s.ackedSpans);
      recordSegment(f);
    }
    return new FlushResult(segments, messages, spans, rejected, retries, failed, completed);
  }

  /**
   * Completes the generations whose messages were all settled, together (a store that records changes elsewhere
   * records them in one go); when that fails, each alone, so that only those whose completion fails are backed off
   * (completing one again is harmless). Returns those completed.
   */
  private List<Settled> complete(List<Settled> settled, List<SegmentFailure> failed, Instant now) {
    if (settled.isEmpty()) {
      return settled;
    }
    List<Completion> completions = new ArrayList<>(settled.size());
    for (Settled s : settled) {
      completions.add(new Completion(s.inFlight.sealed, s.inFlight.chunks.skipEnrichment()));
    }
    try {
      store.complete(completions);
      return settled;
    } catch (RuntimeException together) {
      List<Settled> done = new ArrayList<>(settled.size());
      for (Settled s : settled) {
        InFlight f = s.inFlight;
        try {
          store.complete(f.sealed, f.chunks.skipEnrichment());
          done.add(s);
        } catch (RuntimeException e) {
          // Left sealed: sent again later with the same flush ids.
          failed.add(fail(f.shard, f.sealed.key(), e, now));
        }
      }
      return done;
    }
  }

  /** A generation whose every message was acknowledged or refused for good, with the counts of its messages. */
  private record Settled(InFlight inFlight, int acked, long ackedSpans, long ackedBytes,
      List<Outcome.Rejected> refused) {}

  private void recordSegment(InFlight f) {
    stats.flushedSegments.increment();
    stats.flushed(f.reason);
    if (f.chunks.chunked()) {
      stats.chunkedSegments.increment();
    }
    stats.oversizedSpans.add(f.chunks.oversizedSpans());
    if (f.sealed.isContinuation()) {
      stats.continuations.increment();
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  /** Waits for one acknowledgement until the deadline; returns the failure, or null on success. */
  private static @Nullable Throwable await(CompletableFuture<?> ack, long deadlineNanos) {
    try {
      ack.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return null;
    } catch (ExecutionException | CompletionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (TimeoutException e) {
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  /** One segment generation whose messages were sent. */
  private static final class InFlight {
    final int shard;
    final SealedSegment sealed;
    final List<Span> spans;
    final FlushReason reason;
    final ChunkResult chunks;
    final List<CompletableFuture<?>> acks;
    final long bytes;

    InFlight(int shard, SealedSegment sealed, List<Span> spans, FlushReason reason, ChunkResult chunks,
        List<CompletableFuture<?>> acks, long bytes) {
      this.shard = shard;
      this.sealed = sealed;
      this.spans = spans;
      this.reason = reason;
      this.chunks = chunks;
      this.acks = acks;
      this.bytes = bytes;
    }
  }
}

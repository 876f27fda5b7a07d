package io.segbuf.internal;

import io.segbuf.DueSegment;
import io.segbuf.FlushReason;
import io.segbuf.FlushResult;
import io.segbuf.Message;
import io.segbuf.Outcome;
import io.segbuf.RejectedMessageException;
import io.segbuf.SealedSegment;
import io.segbuf.SegmentSink;
import io.segbuf.SegmentStore;
import io.segbuf.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The flush sequence of DESIGN.md §4 for a list of due segments: seal → read → order → patch, chunk and encode →
 * send → wait for every acknowledgement → complete. Messages of many segments are in flight at once (up to a byte
 * limit); a segment is completed only when every one of its messages is acknowledged or refused for good, and
 * left sealed for a retry otherwise.
 */
public final class SegmentFlusher {
  /** Encoded bytes in flight before the flusher waits for acknowledgements. */
  static final long MAX_IN_FLIGHT_BYTES = 64L * 1024 * 1024;

  private final SegmentStore store;
  private final SegmentSink sink;
  private final Chunker chunker;
  private final Duration sendTimeout;
  private final StatsRecorder stats;

  public SegmentFlusher(
      SegmentStore store, SegmentSink sink, Chunker chunker, Duration sendTimeout, StatsRecorder stats) {
    this.store = store;
    this.sink = sink;
    this.chunker = chunker;
    this.sendTimeout = sendTimeout;
    this.stats = stats;
  }

  /**
   * Flushes the segments.
   *
   * @param reasonOverride the reason to count instead of each segment's own, or null
   */
  public FlushResult flush(List<DueSegment> due, @Nullable FlushReason reasonOverride, Instant now) {
    FlushResult result = FlushResult.EMPTY;
    List<InFlight> inFlight = new ArrayList<>();
    long inFlightBytes = 0;
    AtomicBoolean sinkFailing = new AtomicBoolean();
    for (DueSegment segment : due) {
      if (sinkFailing.get()) {
        // A sink that fails now (a broker away) would fail the rest too, each send perhaps after a wait of its
        // own: the segments not sealed yet stay due for the next cycle.
        break;
      }
      SealedSegment sealed = store.seal(segment.key(), now);
      if (sealed == null) {
        continue;
      }
      InFlight sent = send(sealed, reasonOverride != null ? reasonOverride : segment.reason(), sinkFailing);
      inFlight.add(sent);
      inFlightBytes += sent.bytes;
      if (inFlightBytes > MAX_IN_FLIGHT_BYTES) {
        result = result.plus(settle(inFlight));
        inFlight.clear();
        inFlightBytes = 0;
      }
    }
    return result.plus(settle(inFlight));
  }

  private InFlight send(SealedSegment sealed, FlushReason reason, AtomicBoolean sinkFailing) {
    List<Span> spans = store.read(sealed);
    long segmentId = sealed.key().segmentId();
    SegmentOrder order = SegmentOrder.of(spans, segmentId);
    ChunkPlan plan = chunker.plan(order, segmentId, sealed.generation(), sealed.skipEnrichment());
    List<Message> messages = MessageEncoder.encode(sealed.key(), sealed.generation(), order, plan);
    List<CompletableFuture<?>> acks = new ArrayList<>(messages.size());
    long bytes = 0;
    for (Message message : messages) {
      bytes += message.value().length;
      stats.largestMessageBytes.accumulateAndGet(message.value().length, Math::max);
      CompletableFuture<?> ack = sendOne(message);
      ack.whenComplete((ok, error) -> {
        if (error != null && !(unwrap(error) instanceof RejectedMessageException)) {
          sinkFailing.set(true);
        }
      });
      acks.add(ack);
    }
    return new InFlight(sealed, reason, plan, messages, acks, bytes);
  }

  private CompletableFuture<?> sendOne(Message message) {
    try {
      return sink.send(message).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private FlushResult settle(List<InFlight> inFlight) {
    long deadline = System.nanoTime() + sendTimeout.toNanos();
    int segments = 0;
    int messages = 0;
    long spans = 0;
    int retries = 0;
    List<Outcome.Rejected> rejected = new ArrayList<>();
    for (InFlight f : inFlight) {
      boolean retry = false;
      List<Outcome.Rejected> refused = new ArrayList<>();
      int acked = 0;
      long ackedSpans = 0;
      long ackedBytes = 0;
      for (int i = 0; i < f.messages.size(); i++) {
        Message message = f.messages.get(i);
        Throwable failure = await(f.acks.get(i), deadline);
        if (failure == null) {
          acked++;
          ackedSpans += message.spanCount();
          ackedBytes += message.value().length;
        } else if (failure instanceof RejectedMessageException) {
          refused.add(new Outcome.Rejected(message.segment(), message.generation(), message.chunkIndex(),
              message.spanCount(), String.valueOf(failure.getMessage())));
        } else {
          retry = true;
        }
      }
      if (retry) {
        stats.sendFailures.increment();
        retries++;
        continue;
      }
      store.complete(f.sealed, f.plan.skipEnrichment());
      segments++;
      messages += acked;
      spans += ackedSpans;
      rejected.addAll(refused);
      stats.flushedMessages.add(acked);
      stats.flushedSpans.add(ackedSpans);
      stats.flushedMessageBytes.add(ackedBytes);
      stats.rejectedMessages.add(refused.size());
      stats.rejectedSpans.add(f.sealed.spans() - ackedSpans);
      recordSegment(f);
    }
    return new FlushResult(segments, messages, spans, rejected, retries);
  }

  private void recordSegment(InFlight f) {
    stats.flushedSegments.increment();
    stats.flushed(f.reason);
    if (f.plan.chunked()) {
      stats.chunkedSegments.increment();
    }
    stats.oversizedSpans.add(f.plan.oversizedSpans());
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
    final SealedSegment sealed;
    final FlushReason reason;
    final ChunkPlan plan;
    final List<Message> messages;
    final List<CompletableFuture<?>> acks;
    final long bytes;

    InFlight(SealedSegment sealed, FlushReason reason, ChunkPlan plan, List<Message> messages,
        List<CompletableFuture<?>> acks, long bytes) {
      this.sealed = sealed;
      this.reason = reason;
      this.plan = plan;
      this.messages = messages;
      this.acks = acks;
      this.bytes = bytes;
    }
  }
}

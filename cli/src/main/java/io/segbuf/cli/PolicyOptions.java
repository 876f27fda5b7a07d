package io.segbuf.cli;

import io.segbuf.SpanBufferConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The flush-policy options that {@code replay} and {@code run} share (a picocli mixin), and the translation of
 * configuration problems from property names to these flags.
 */
public final class PolicyOptions {
  /** Configuration properties to the flags that set them. */
  private static final Map<String, String> FLAGS = Map.of(
      "timeout", "--timeout",
      "rootTimeout", "--root-timeout",
      "maxLifetime", "--max-lifetime",
      "maxSegmentBytes", "--max-segment-bytes",
      "maxMessageBytes", "--max-message-bytes",
      "maxBufferedBytes", "--max-buffered-bytes",
      "maxFlushSegments", "--max-flush-segments");

  private static final Pattern DURATION_VALUE = Pattern.compile("but was (-?PT\\S+)$");

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "Inactivity timeout while the root is missing. Default: ${DEFAULT-VALUE}.")
  double timeoutSeconds;

  @Option(names = "--root-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "Inactivity timeout once the root has arrived. Default: ${DEFAULT-VALUE}.")
  double rootTimeoutSeconds;

  @Option(names = "--max-lifetime", paramLabel = "SECONDS",
      description = "Hard limit from a segment's first span. Default: off.")
  @Nullable Double maxLifetimeSeconds;

  @Option(names = "--max-segment-bytes", paramLabel = "BYTES", defaultValue = "" + (10 * 1024 * 1024),
      description = "Buffered span bytes at which a segment is flushed at once. Default: ${DEFAULT-VALUE}.")
  long maxSegmentBytes;

  @Option(names = "--max-buffered-bytes", paramLabel = "BYTES", defaultValue = "0",
      description = "When the buffer holds more, the oldest segments are flushed early (nothing is dropped); "
          + "0 for no limit. Default: ${DEFAULT-VALUE}.")
  long maxBufferedBytes;

  @Option(names = "--max-flush-segments", paramLabel = "N", defaultValue = "500",
      description = "Most segments flushed per shard per flush cycle. Default: ${DEFAULT-VALUE}.")
  int maxFlushSegments;

  /** A configuration builder with these options set; the caller adds the rest and builds. */
  public SpanBufferConfig.Builder builder() {
    SpanBufferConfig.Builder b = SpanBufferConfig.builder()
        .timeout(seconds(timeoutSeconds))
        .rootTimeout(seconds(rootTimeoutSeconds))
        .maxSegmentBytes(maxSegmentBytes)
        .maxBufferedBytes(maxBufferedBytes)
        .maxFlushSegments(maxFlushSegments);
    if (maxLifetimeSeconds != null) {
      b.maxLifetime(seconds(maxLifetimeSeconds));
    }
    return b;
  }

  /**
   * The problems with each configuration property replaced by its flag and a duration value by the seconds a
   * user typed, joined for one line.
   */
  public static String flagNames(List<String> problems, Map<String, String> moreFlags) {
    return problems.stream().map(p -> {
      int space = p.indexOf(' ');
      String property = space < 0 ? p : p.substring(0, space);
      String flag = FLAGS.getOrDefault(property, moreFlags.getOrDefault(property, property));
      return flag + inSeconds(p.substring(property.length()));
    }).collect(Collectors.joining("; "));
  }

  /** A problem's {@code but was PT1.5S} as {@code but was 1.5}: the options take seconds. */
  private static String inSeconds(String problem) {
    Matcher value = DURATION_VALUE.matcher(problem);
    if (!value.find()) {
      return problem;
    }
    Duration duration = Duration.parse(value.group(1));
    String seconds = BigDecimal.valueOf(duration.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString();
    return problem.substring(0, value.start(1)) + seconds;
  }

  /** Seconds as a user types them (fractions allowed) to a duration, to the millisecond. */
  public static Duration seconds(double seconds) {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }
}

package io.segbuf.cli;

import io.segbuf.ConfigException;
import io.segbuf.cli.generate.GeneratorOptions;
import io.segbuf.cli.generate.SpanGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code segbuf generate}: writes realistic synthetic spans as NDJSON. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes realistic synthetic spans (Sentry ingest-spans shape) as NDJSON, one span per line.",
      "Deterministic: the same options and seed give the same bytes."
    })
public final class GenerateCommand implements Callable<Integer> {

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  CommandSpec spec;

  @Option(
      names = "--seed",
      defaultValue = "" + GeneratorOptions.DEFAULT_SEED,
      description = "Random seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--traces",
      defaultValue = "" + GeneratorOptions.DEFAULT_TRACES,
      description = "Number of traces. Default: ${DEFAULT-VALUE}.")
  int traces;

  @Option(
      names = "--spans-per-trace",
      defaultValue = "" + GeneratorOptions.DEFAULT_SPANS_PER_TRACE,
      description = "Spans in every trace, root included. Default: ${DEFAULT-VALUE}.")
  int spansPerTrace;

  @Option(
      names = "--depth",
      defaultValue = "" + GeneratorOptions.DEFAULT_DEPTH,
      description = "Maximum tree depth (the root is depth 0). Default: ${DEFAULT-VALUE}.")
  int depth;

  @Option(
      names = "--fan-out",
      defaultValue = "" + GeneratorOptions.DEFAULT_FAN_OUT,
      description =
          "Maximum children per span, relaxed only when the tree is full. Default: ${DEFAULT-VALUE}.")
  int fanOut;

  @Option(
      names = "--min-span-bytes",
      defaultValue = "" + GeneratorOptions.DEFAULT_MIN_SPAN_BYTES,
      description =
          "Smallest span size in bytes (spans never go below their fixed fields, about 300-400"
              + " bytes). Default: ${DEFAULT-VALUE}.")
  int minSpanBytes;

  @Option(
      names = "--max-span-bytes",
      defaultValue = "" + GeneratorOptions.DEFAULT_MAX_SPAN_BYTES,
      description = "Largest span size in bytes. Default: ${DEFAULT-VALUE}.")
  int maxSpanBytes;

  @Option(
      names = "--projects",
      defaultValue = "" + GeneratorOptions.DEFAULT_PROJECTS,
      description = "Number of distinct project ids. Default: ${DEFAULT-VALUE}.")
  int projects;

  @Option(
      names = "--out-of-order",
      defaultValue = "" + GeneratorOptions.DEFAULT_OUT_OF_ORDER,
      description =
          "Fraction (0..1) of traces emitted in shuffled order instead of parent first."
              + " Default: ${DEFAULT-VALUE}.")
  double outOfOrder;

  @Option(
      names = "--late",
      defaultValue = "" + GeneratorOptions.DEFAULT_LATE,
      description =
          "Fraction (0..1) of spans emitted more than --late-seconds after the rest of their"
              + " trace. Default: ${DEFAULT-VALUE}.")
  double late;

  @Option(
      names = "--late-seconds",
      defaultValue = "" + GeneratorOptions.DEFAULT_LATE_SECONDS,
      description = "How late a late span is, at least, in seconds. Default: ${DEFAULT-VALUE}.")
  long lateSeconds;

  @Option(
      names = "--service-entries",
      defaultValue = "" + GeneratorOptions.DEFAULT_SERVICE_ENTRIES,
      description =
          "Probability (0..1) that a non-root span is a segment root with a parent."
              + " Default: ${DEFAULT-VALUE}.")
  double serviceEntries;

  @Option(
      names = "--concurrent-traces",
      defaultValue = "" + GeneratorOptions.DEFAULT_CONCURRENT_TRACES,
      description = "Traces interleaved in the output at once. Default: ${DEFAULT-VALUE}.")
  int concurrentTraces;

  @Option(
      names = "--start-epoch-seconds",
      defaultValue = "" + GeneratorOptions.DEFAULT_START_EPOCH_SECONDS,
      description = "Event time where the output starts. Default: ${DEFAULT-VALUE}.")
  long startEpochSeconds;

  @Option(
      names = "--traces-per-second",
      defaultValue = "" + GeneratorOptions.DEFAULT_TRACES_PER_SECOND,
      description = "Arrival rate of traces, in event time. Default: ${DEFAULT-VALUE}.")
  double tracesPerSecond;

  @Option(
      names = "--unicode",
      negatable = true,
      defaultValue = "" + GeneratorOptions.DEFAULT_UNICODE,
      fallbackValue = "true",
      description =
          "Put some non-ASCII text (café, 日本語, emoji) in names and attributes."
              + " Default: ${DEFAULT-VALUE}.")
  boolean unicode;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE instead of standard output.")
  @Nullable Path output;

  @Override
  public Integer call() {
    SpanGenerator generator = new SpanGenerator(options());
    try (OutputStream out = CommandStreams.output(output)) {
      generator.writeTo(out);
      return 0;
    } catch (IOException e) {
      spec.commandLine().getErr().println("segbuf generate: " + e.getMessage());
      return 1;
    }
  }

  private GeneratorOptions options() {
    try {
      return GeneratorOptions.builder()
          .seed(seed)
          .traces(traces)
          .spansPerTrace(spansPerTrace)
          .depth(depth)
          .fanOut(fanOut)
          .minSpanBytes(minSpanBytes)
          .maxSpanBytes(maxSpanBytes)
          .projects(projects)
          .outOfOrder(outOfOrder)
          .late(late)
          .lateSeconds(lateSeconds)
          .serviceEntries(serviceEntries)
          .concurrentTraces(concurrentTraces)
          .startEpochSeconds(startEpochSeconds)
          .tracesPerSecond(tracesPerSecond)
          .unicode(unicode)
          .build();
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), String.join("; ", FlagNames.messages(spec, e.problems())));
    }
  }
}

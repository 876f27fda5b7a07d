package io.segbuf.cli.replay;

import io.segbuf.ChunkingStrategy;
import io.segbuf.ConfigException;
import io.segbuf.SegbufException;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.cli.CommandStreams;
import io.segbuf.cli.FlagNames;
import io.segbuf.cli.OptionValues;
import io.segbuf.cli.PolicyOptions;
import io.segbuf.cli.StoreUri;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code segbuf replay}: NDJSON spans in, one {@code buffered-segments} message value per line out. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Replays NDJSON spans through an in-memory buffer and writes the flushed messages as NDJSON.",
      "",
      "Reads spans as NDJSON (one ingest-spans JSON object per line), assembles them into segments with an",
      "in-memory buffer on event time (the largest `received`, else `end_timestamp`, seen so far), and writes",
      "each flushed message value as one line. Everything left is flushed at the end of input.",
      "Exit status: 0 done (invalid lines are reported on stderr and skipped), 1 input or output failed,",
      "2 bad options."
    })
public final class ReplayCommand implements Callable<Integer> {
  /** When to show the progress line. */
  enum ProgressMode {
    AUTO,
    ALWAYS,
    NEVER
  }

  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  @Spec
  CommandSpec spec;

  @Mixin PolicyOptions policy = new PolicyOptions();

  @Parameters(index = "0", paramLabel = "INPUT", description = "NDJSON spans: a file, or - for standard input.")
  String input = "-";

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Where to write messages. Default: standard output.")
  @Nullable Path output;

  @Option(names = "--max-message-bytes", paramLabel = "BYTES",
      description = "Budget of one message, envelope included; larger segments are chunked. "
          + "Default: --max-segment-bytes.")
  @Nullable Integer maxMessageBytes;

  @Option(names = "--chunking", paramLabel = "STRATEGY", defaultValue = "greedy",
      converter = ChunkingConverter.class,
      description = "greedy (in order, like Sentry) or subtree (keeps subtrees together). "
          + "Default: ${DEFAULT-VALUE}.")
  ChunkingStrategy chunking = ChunkingStrategy.GREEDY;

  @Option(names = "--store", paramLabel = "STORE", defaultValue = StoreUri.MEMORY,
      description = "Where buffered state lives: memory, redis://host:port or "
          + "redis-cluster://host:port,host:port (rediss:// for TLS). Default: ${DEFAULT-VALUE}.")
  String store = StoreUri.MEMORY;

  @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
      converter = ProgressConverter.class,
      description = "Progress line on stderr: auto (on a terminal), always, never. Default: ${DEFAULT-VALUE}.")
  ProgressMode progress = ProgressMode.AUTO;

  @Option(names = {"-q", "--quiet"}, description = "No summary on stderr.")
  boolean quiet;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    SpanBufferConfig config;
    try {
      config = config();
    } catch (ConfigException e) {
      err.println("segbuf replay: " + String.join("; ", FlagNames.messages(spec, e.problems())) + " (see --help)");
      return spec.exitCodeOnInvalidInput();
    }
    String storeProblem = StoreUri.problem(store);
    if (storeProblem != null) {
      err.println("segbuf replay: " + storeProblem + " (see --help)");
      return spec.exitCodeOnInvalidInput();
    }
    try (InputStream in = CommandStreams.input(input);
        OutputStream out = CommandStreams.output(output);
        SegmentStore segments = StoreUri.open(store);
        OutputSink sink = OutputSink.over(store, out)) {
      // a replay commits nothing, so a store kept elsewhere (Redis) need not answer each change before the next line
      SpanBuffer buffer = SpanBuffer.create(config, segments.unacknowledged(), sink);
      Progress shown = new Progress(err, showProgress(), CommandStreams.size(input), System::nanoTime);
      ReplaySummary summary = new Replay(buffer, sink, err, shown).run(new LineReader(in));
      segments.sync();
      out.flush();
      if (summary.stats().bufferedSpans() > 0) {
        err.println("segbuf replay: could not write " + summary.stats().bufferedSpans() + " spans to the output");
        return 1;
      }
      if (!quiet) {
        err.println(summary.format());
      }
      return 0;
    } catch (IOException | SegbufException e) {
      err.println("segbuf replay: " + e.getMessage());
      return 1;
    }
  }

  private SpanBufferConfig config() {
    return policy.builder().maxMessageBytes(maxMessageBytes).chunking(chunking).build();
  }

  private boolean showProgress() {
    return progress == ProgressMode.ALWAYS || (progress == ProgressMode.AUTO && System.console() != null);
  }

  /** Parses {@code greedy} or {@code subtree}. */
  static final class ChunkingConverter implements picocli.CommandLine.ITypeConverter<ChunkingStrategy> {
    @Override
    public ChunkingStrategy convert(String value) {
      return OptionValues.oneOf("--chunking", value, ChunkingStrategy.class);
    }
  }

  /** Parses {@code auto}, {@code always} or {@code never}. */
  static final class ProgressConverter implements picocli.CommandLine.ITypeConverter<ProgressMode> {
    @Override
    public ProgressMode convert(String value) {
      return OptionValues.oneOf("--progress", value, ProgressMode.class);
    }
  }
}

package io.segbuf.cli;

import io.segbuf.cli.replay.ReplayCommand;
import io.segbuf.cli.run.RunCommand;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code segbuf} command: the entry point of the runnable jar. */
@Command(
    name = "segbuf",
    mixinStandardHelpOptions = true,
    subcommands = {ReplayCommand.class, GenerateCommand.class, RunCommand.class},
    version = "segbuf 0.1.0",
    description = "Assembles tracing spans into segments and flushes them as byte-budgeted messages.")
public final class Segbuf implements Callable<Integer> {

  @Spec
  @SuppressWarnings("NullAway.Init") // injected by picocli before call()
  CommandSpec spec;

  /** Without a command there is nothing to do: the usage goes to stderr, with the bad-usage status. */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    spec.commandLine().usage(err);
    err.println("segbuf: a command is required: replay, generate or run (see segbuf --help)");
    return spec.exitCodeOnInvalidInput();
  }

  /** The command line as {@link #main} runs it: bad options are reported in one line, status 2. */
  public static CommandLine commandLine() {
    return new CommandLine(new Segbuf())
        .setParameterExceptionHandler(new OneLineParameterErrors());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}

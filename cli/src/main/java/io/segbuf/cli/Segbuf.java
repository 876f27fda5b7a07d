package io.segbuf.cli;

import io.segbuf.cli.replay.ReplayCommand;
import io.segbuf.cli.run.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code segbuf} command: the entry point of the runnable jar. */
@Command(
    name = "segbuf",
    mixinStandardHelpOptions = true,
    subcommands = {ReplayCommand.class, GenerateCommand.class, RunCommand.class},
    version = "segbuf 0.1.0",
    description = "Assembles tracing spans into segments and flushes them as byte-budgeted messages.")
public final class Segbuf implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
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

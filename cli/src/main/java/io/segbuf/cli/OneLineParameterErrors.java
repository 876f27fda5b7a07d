package io.segbuf.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Reports a bad command line as one line on stderr, naming the command, the option and the value,
 * and exits with picocli's usage status (2).
 */
final class OneLineParameterErrors implements CommandLine.IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    command
        .getErr()
        .println(
            command.getCommandSpec().qualifiedName()
                + ": "
                + e.getMessage()
                + " (see --help)");
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }
}

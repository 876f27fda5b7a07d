package io.segbuf.cli.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The built jar ({@code target/segbuf.jar}) run as processes of a test, each one's output in its own log file. */
final class JarProcesses {
  private static final Path JAR = Path.of("target", "segbuf.jar").toAbsolutePath();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final String test;

  /** Processes whose output goes to {@code target/<test>-<name>.log}. */
  JarProcesses(String test) {
    this.test = test;
  }

  /** Starts {@code java -jar segbuf.jar args...} as the process called {@code name}. */
  Process start(String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile(name).toFile()).start();
  }

  Path logFile(String name) {
    return Path.of("target", test + "-" + name + ".log").toAbsolutePath();
  }

  /** What the process called {@code name} wrote so far. */
  String log(String name) throws IOException {
    return Files.readString(logFile(name));
  }
}

package io.segbuf.cli.run;

import java.io.File;
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
    return start(name, List.of("-jar", JAR.toString()), args);
  }

  /**
   * Starts {@code mainClass} of the test sources with the jar's classes ({@code java -cp segbuf.jar:test-classes
   * mainClass args...}): the product as built, driven by a test's own main.
   */
  Process startMain(String name, Class<?> mainClass, String... args) throws IOException {
    String classPath = JAR + File.pathSeparator + Path.of("target", "test-classes").toAbsolutePath();
    return start(name, List.of("-cp", classPath, mainClass.getName()), args);
  }

  private Process start(String name, List<String> javaArgs, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(javaArgs);
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

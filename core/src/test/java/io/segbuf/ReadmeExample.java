package io.segbuf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A {@code java} block of the repository's README, compiled and run exactly as written, so that the README cannot
 * drift from the code. Shipped in the test-jar; run from a module's directory.
 */
public final class ReadmeExample {
  private ReadmeExample() {}

  /** The first {@code java} block after the README's line {@code heading} (such as {@code "## Embed it"}). */
  public static String javaBlockAfter(String heading) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("\n" + heading + "\n");
    if (section < 0) {
      throw new AssertionError("README.md must have the heading " + heading + " but has not");
    }
    int start = readme.indexOf("```java\n", section) + "```java\n".length();
    return readme.substring(start, readme.indexOf("```\n", start));
  }

  /**
   * Compiles {@code source} (one public class named {@code className}) into {@code dir} against the test class
   * path, runs its {@code main} and returns the lines it printed.
   */
  public static List<String> compileAndRun(String source, String className, Path dir) throws Exception {
    Path file = dir.resolve(className + ".java");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(),
        "-classpath", System.getProperty("java.class.path"), file.toString());
    if (status != 0) {
      throw new AssertionError("the example must compile but javac said: "
          + diagnostics.toString(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    try (URLClassLoader loader =
            new URLClassLoader(new URL[] {dir.toUri().toURL()}, ReadmeExample.class.getClassLoader());
        PrintStream captured = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(captured);
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(stdout);
    }
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }
}

package io.segbuf.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example, compiled and run exactly as written. */
class ReadmeExampleTest {
  @TempDir Path dir;

  /** The first {@code java} block after the "Embed it" heading. */
  private static String example() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("\n## Embed it");
    int start = readme.indexOf("```java\n", section) + "```java\n".length();
    return readme.substring(start, readme.indexOf("```\n", start));
  }

  @Test
  void theEmbeddingExampleCompilesAndRunsAsWritten() throws Exception {
    String source = example();
    assertThat(source).contains("public class EmbedSegbuf");
    Path file = dir.resolve("EmbedSegbuf.java");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(),
        "-classpath", System.getProperty("java.class.path"), file.toString());
    assertThat(status).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        PrintStream captured = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      Method main = loader.loadClass("EmbedSegbuf").getMethod("main", String[].class);
      System.setOut(captured);
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(stdout);
    }
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).isEqualTo("2 spans buffered, 1 message flushed");
    assertThat(lines.get(1)).startsWith("{\"flush_id\":\"").contains("\"segment_id\":\"aaaaaaaaaaaaaaaa\"");
  }
}

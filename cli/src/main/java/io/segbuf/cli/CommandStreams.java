package io.segbuf.cli;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Opens a command's input and output so that every failure is an {@link IOException} whose message is one line in
 * the user's words, {@code cannot read|write NAME: cause}: the caller prints it as it is. Standard output is a
 * {@link PrintStream}, which swallows write errors; its errors are checked after every write that reaches it.
 */
public final class CommandStreams {
  /** The name of standard input or output on the command line. */
  public static final String STANDARD = "-";

  private static final int BUFFER_BYTES = 1 << 16;

  private CommandStreams() {}

  /** The input {@code name} names: a file, or standard input for {@code -}. Not buffered. */
  public static InputStream input(String name) throws IOException {
    if (STANDARD.equals(name)) {
      return new Named(System.in, "standard input");
    }
    Path file = Path.of(name);
    if (Files.isDirectory(file)) {
      throw new IOException("cannot read " + name + ": it is a directory");
    }
    try {
      return new Named(Files.newInputStream(file), name);
    } catch (IOException e) {
      throw failure("read", name, e);
    }
  }

  /** The size of the input {@code name} names, when it is a regular file; else -1. */
  public static long size(String name) {
    try {
      Path file = Path.of(name);
      return !STANDARD.equals(name) && Files.isRegularFile(file) ? Files.size(file) : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** A buffered output to {@code file}, or to standard output when null; closing it leaves standard output open. */
  public static OutputStream output(@Nullable Path file) throws IOException {
    if (file == null) {
      return new BufferedOutputStream(new CheckedStandardOutput(System.out), BUFFER_BYTES);
    }
    if (Files.isDirectory(file)) {
      throw new IOException("cannot write " + file + ": it is a directory");
    }
    try {
      return new BufferedOutputStream(new NamedOutput(Files.newOutputStream(file), file.toString()), BUFFER_BYTES);
    } catch (IOException e) {
      throw failure("write", file.toString(), e);
    }
  }

  /** {@code cannot OPERATION NAME: cause}, the cause without Java's class names; an earlier such failure as is. */
  static IOException failure(String operation, String name, IOException e) {
    if (e instanceof Failure) {
      return e;
    }
    return new Failure("cannot " + operation + " " + name + ": " + cause(e), e);
  }

  private static String cause(IOException e) {
    if (e instanceof NoSuchFileException noSuchFile) {
      Path missing = Path.of(noSuchFile.getFile());
      Path parent = missing.getParent() != null ? missing.getParent() : missing.toAbsolutePath().getParent();
      return parent != null && !Files.isDirectory(parent) ? "no such directory: " + parent : "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    String reason = e instanceof FileSystemException fileSystem ? fileSystem.getReason() : e.getMessage();
    if (reason == null || reason.isBlank()) {
      return "input/output error";
    }
    return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
  }

  /** A failure already in the user's words. */
  private static final class Failure extends IOException {
    private static final long serialVersionUID = 1L;

    Failure(String message, IOException cause) {
      super(message, cause);
    }
  }

  /** An input whose read errors name it. */
  private static final class Named extends FilterInputStream {
    private final String name;

    Named(InputStream in, String name) {
      super(in);
      this.name = name;
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        throw failure("read", name, e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw failure("read", name, e);
      }
    }
  }

  /** An output file whose write errors name it. */
  private static final class NamedOutput extends FilterOutputStream {
    private final String name;

    NamedOutput(OutputStream out, String name) {
      super(out);
      this.name = name;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw failure("write", name, e);
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        throw failure("write", name, e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        out.close();
      } catch (IOException e) {
        throw failure("write", name, e);
      }
    }
  }

  /** Standard output with its errors checked; closing flushes it and leaves it open. */
  private static final class CheckedStandardOutput extends OutputStream {
    private final PrintStream out;

    CheckedStandardOutput(PrintStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      check();
    }

    @Override
    public void flush() throws IOException {
      check();
    }

    @Override
    public void close() throws IOException {
      check();
    }

    /** PrintStream keeps only that an error happened, not which; checkError also flushes. */
    private void check() throws IOException {
      if (out.checkError()) {
        throw new Failure("cannot write standard output: the write failed (disk full, or the reader went away)",
            new IOException("PrintStream error"));
      }
    }
  }
}

package io.segbuf.cli.run;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-level} and {@code --log-format}: segbuf's own loggers log at the level given, the libraries' (Kafka,
 * Lettuce) at {@code warn}, or at the given level when it is quieter than that; one line per event, as text or as
 * one JSON object ({@link JsonLogLayout}).
 */
final class LogSetup {
  /** How log lines look. */
  enum Format {
    TEXT,
    JSON
  }

  /** Levels by their lower-case names; {@code off} logs nothing. */
  enum LogLevel {
    OFF,
    ERROR,
    WARN,
    INFO,
    DEBUG,
    TRACE;

    /** Logback's level of the same name. */
    Level level() {
      return Level.toLevel(name());
    }
  }

  private static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{36} - %msg%n";

  private LogSetup() {}

  /** Replaces the logging configuration: every event from now on goes to {@code out}, left open on close. */
  static void apply(LogLevel level, Format format, OutputStream out) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return; // an embedder's own SLF4J backend: its configuration is the embedder's
    }
    context.reset();
    Layout<ILoggingEvent> layout;
    if (format == Format.JSON) {
      layout = new JsonLogLayout();
    } else {
      PatternLayout pattern = new PatternLayout();
      pattern.setPattern(TEXT_PATTERN);
      layout = pattern;
    }
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName("segbuf");
    appender.setEncoder(encoder);
    appender.setImmediateFlush(true);
    appender.setOutputStream(new LeftOpen(out));
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    Level segbuf = level.level();
    root.setLevel(segbuf.isGreaterOrEqual(Level.WARN) ? segbuf : Level.WARN);
    context.getLogger("io.segbuf").setLevel(segbuf);
  }

  /** Standard error outlives the logging configuration: closing only flushes. */
  private static final class LeftOpen extends FilterOutputStream {
    LeftOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}

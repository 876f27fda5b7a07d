package io.segbuf.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay in front of a Redis server that counts the commands clients send through it: on Redis 7.0 both
 * {@code INFO commandstats} and {@code total_commands_processed} count the commands run inside scripts as well, so
 * the commands a client sends (its round trips' contents) are counted here, on the wire. For benchmarks. Once
 * armed, it also cuts the connection that next receives an integer reply (that of an {@code RPUSHX} or of a script),
 * dropping the reply: a command Redis applied whose answer is lost.
 */
final class CommandCountingRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int redisPort;
  private final AtomicLong commands = new AtomicLong();
  private final AtomicBoolean cutArmed = new AtomicBoolean();

  CommandCountingRelay(int redisPort) {
    this.redisPort = redisPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread accept = new Thread(this::accept, "relay-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** The URI clients connect to. */
  String uri() {
    return "redis://127.0.0.1:" + server.getLocalPort();
  }

  /** Commands sent through the relay so far. */
  long commands() {
    return commands.get();
  }

  /** Cuts the connection that next receives an integer reply, dropping that reply. */
  void cutAtNextIntegerReply() {
    cutArmed.set(true);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket redis = new Socket(InetAddress.getLoopbackAddress(), redisPort);
        client.setTcpNoDelay(true);
        redis.setTcpNoDelay(true);
        pump(redis.getInputStream(), client.getOutputStream(), false, client, redis);
        pump(client.getInputStream(), redis.getOutputStream(), true, client, redis);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(InputStream in, OutputStream out, boolean count, Socket client, Socket redis) {
    Thread t = new Thread(() -> {
      RequestCounter counter = new RequestCounter();
      byte[] buffer = new byte[64 * 1024];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          if (count) {
            commands.addAndGet(counter.count(buffer, n));
          } else if (buffer[0] == ':' && cutArmed.compareAndSet(true, false)) {
            client.close();
            redis.close();
            return;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // a side closed: the connection ends
      } finally {
        try {
          out.close();
        } catch (IOException e) {
          // already closed
        }
      }
    }, "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Counts RESP requests (arrays of bulk strings, as clients send them) in a byte stream read in pieces: a state
   * machine over {@code *<n>\r\n} and n times {@code $<len>\r\n<len bytes>\r\n}.
   */
  static final class RequestCounter {
    private int state; // 0 '*' expected, 1 array length, 2 '$' expected, 3 bulk length, 4 bulk bytes and CRLF
    private long number;
    private long elementsLeft;
    private long bytesLeft;

    /** The requests completed within {@code bytes[0..n)}. */
    long count(byte[] bytes, int n) {
      long completed = 0;
      for (int i = 0; i < n; i++) {
        byte b = bytes[i];
        switch (state) {
          case 0 -> {
            state = 1;
            number = 0;
          }
          case 1, 3 -> {
            if (b >= '0' && b <= '9') {
              number = number * 10 + (b - '0');
            } else if (b == '\n') {
              if (state == 1) {
                elementsLeft = number;
                state = elementsLeft == 0 ? 0 : 2;
                completed += elementsLeft == 0 ? 1 : 0;
              } else {
                bytesLeft = number + 2;
                state = 4;
              }
            }
          }
          case 2 -> {
            state = 3;
            number = 0;
          }
          default -> {
            long skip = Math.min(bytesLeft, n - i);
            bytesLeft -= skip;
            i += (int) skip - 1;
            if (bytesLeft == 0) {
              elementsLeft--;
              state = elementsLeft == 0 ? 0 : 2;
              completed += elementsLeft == 0 ? 1 : 0;
            }
          }
        }
      }
      return completed;
    }
  }
}

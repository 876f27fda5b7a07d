package io.segbuf.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay in front of a Redis server that, once armed, cuts the connection when the next integer reply (that of
 * an {@code RPUSHX}) comes back from Redis, instead of passing it on: a command Redis applied whose answer is lost.
 */
final class ReplyCuttingRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int redisPort;
  private final AtomicBoolean armed = new AtomicBoolean();

  ReplyCuttingRelay(int redisPort) {
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

  /** Cuts the connection that next receives an integer reply, dropping that reply. */
  void cutAtNextIntegerReply() {
    armed.set(true);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket redis = new Socket(InetAddress.getLoopbackAddress(), redisPort);
        client.setTcpNoDelay(true);
        redis.setTcpNoDelay(true);
        pump(redis.getInputStream(), client.getOutputStream(), client, redis, true);
        pump(client.getInputStream(), redis.getOutputStream(), client, redis, false);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(InputStream in, OutputStream out, Socket client, Socket redis, boolean replies) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          if (replies && buffer[0] == ':' && armed.compareAndSet(true, false)) {
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
}

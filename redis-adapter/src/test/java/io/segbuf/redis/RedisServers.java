package io.segbuf.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts real {@code redis-server} processes on loopback for integration tests: one standalone server or a
 * 3-master cluster. Fails loudly (throws) when a server cannot start; never skips. {@link #close()} kills them and
 * deletes their directories.
 */
public final class RedisServers implements AutoCloseable {
  /** How long a server may take to start, counted in polling pauses (no clock read: the wait lasts at least that). */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final long PAUSE_MILLIS = 20;

  private final List<Server> servers = new ArrayList<>();
  private final Path root;

  private final Thread killer = new Thread(this::close, "segbuf-redis-servers-killer");

  private RedisServers() {
    try {
      root = Files.createTempDirectory("segbuf-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(killer); // no server outlives a test JVM that dies early
  }

  /** One standalone server without persistence. */
  public static RedisServers standalone() {
    return standalone(false);
  }

  /** One standalone server, with append-only persistence when {@code persistent}. */
  public static RedisServers standalone(boolean persistent) {
    RedisServers s = new RedisServers();
    try {
      s.start(freePort(), persistent, false);
      return s;
    } catch (RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /** Three masters with no replicas, all slots assigned, {@code cluster_state:ok}. */
  public static RedisServers cluster() {
    RedisServers s = new RedisServers();
    try {
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int port = freePort();
        s.start(port, false, true);
        addresses.add("127.0.0.1:" + port);
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      create.addAll(addresses);
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      String out = run(create);
      for (Server server : s.servers) {
        s.awaitClusterOk(server, out);
      }
      return s;
    } catch (RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /** {@code redis://127.0.0.1:port} of the first server. */
  public String uri() {
    return "redis://127.0.0.1:" + servers.get(0).port;
  }

  public int port() {
    return servers.get(0).port;
  }

  /** Every server's URI. */
  public List<String> uris() {
    List<String> uris = new ArrayList<>();
    for (Server s : servers) {
      uris.add("redis://127.0.0.1:" + s.port);
    }
    return uris;
  }

  /** Runs {@code redis-cli} against the first server and returns its output. */
  public String cli(String... args) {
    return cli(servers.get(0), args);
  }

  /** Runs {@code redis-cli} against every server. */
  public List<String> cliAll(String... args) {
    List<String> out = new ArrayList<>();
    for (Server s : servers) {
      out.add(cli(s, args));
    }
    return out;
  }

  /**
   * Stops the standalone server as a crash would not lose acknowledged writes with persistence on: {@code
   * SHUTDOWN} (which fsyncs the append-only file), then starts it again on the same port and directory.
   */
  public void restart() {
    Server old = servers.get(0);
    try {
      cli(old, "SHUTDOWN");
    } catch (IllegalStateException e) {
      // the connection closes as the server exits
    }
    waitFor(old.process);
    servers.remove(0);
    start(old.port, old.persistent, false, old.dir);
  }

  /** Kills the standalone server with SIGKILL (no shutdown hooks), then starts it again on the same port. */
  public void killAndRestart() {
    Server old = servers.get(0);
    old.process.destroyForcibly();
    waitFor(old.process);
    servers.remove(0);
    start(old.port, old.persistent, false, old.dir);
  }

  private void start(int port, boolean persistent, boolean cluster) {
    Path dir = root.resolve("node-" + port);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    start(port, persistent, cluster, dir);
  }

  private void start(int port, boolean persistent, boolean cluster, Path dir) {
    List<String> cmd = new ArrayList<>(List.of(
        "redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--save", "", "--daemonize", "no", "--protected-mode", "no",
        "--logfile", dir.resolve("redis.log").toString()));
    if (persistent) {
      cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    } else {
      cmd.addAll(List.of("--appendonly", "no"));
    }
    if (cluster) {
      cmd.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "5000"));
    }
    Process process;
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (is it installed? .ci/run installs it): " + e, e);
    }
    Server server = new Server(port, persistent, dir, process);
    servers.add(server);
    awaitPing(server);
  }

  private void awaitPing(Server server) {
    for (long waited = 0; waited <= START_TIMEOUT.toMillis(); waited += PAUSE_MILLIS) {
      if (!server.process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + server.port + " exited with "
            + server.process.exitValue() + ": " + log(server));
      }
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port)) {
        socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[64];
        int n = socket.getInputStream().read(buf);
        if (n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      pause();
    }
    throw new IllegalStateException("redis-server on port " + server.port + " did not answer PING within "
        + START_TIMEOUT + ": " + log(server));
  }

  private void awaitClusterOk(Server server, String createOutput) {
    String info = "";
    for (long waited = 0; waited <= START_TIMEOUT.toMillis(); waited += PAUSE_MILLIS) {
      info = cli(server, "CLUSTER", "INFO");
      if (info.contains("cluster_state:ok")) {
        return;
      }
      pause();
    }
    throw new IllegalStateException("cluster node " + server.port + " not ok within " + START_TIMEOUT + ": "
        + info + "\ncluster create said: " + createOutput);
  }

  private static String cli(Server server, String... args) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(server.port)));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd.get(0) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String log(Server server) {
    try {
      Path log = server.dir.resolve("redis.log");
      Path out = server.dir.resolve("stdout.log");
      return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? Files.readString(log) : "");
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** A free loopback port below 55535, so that the cluster bus port (port + 10000) is valid too. */
  private static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        if (port < 55535 && isFree(port + 10000)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free loopback port below 55535 after 100 attempts");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort() == port;
    } catch (IOException e) {
      return false;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(PAUSE_MILLIS); // polling a starting process, not waiting for a timeout under test
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void waitFor(Process process) {
    try {
      if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    if (Thread.currentThread() != killer) {
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException e) {
        // the JVM is shutting down already
      }
    }
    for (Server s : servers) {
      s.process.destroyForcibly();
    }
    for (Server s : servers) {
      try {
        s.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    servers.clear();
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  private record Server(int port, boolean persistent, Path dir, Process process) {}
}

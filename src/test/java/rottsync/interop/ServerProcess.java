package rottsync.interop;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A server under test as a real OS process on 127.0.0.1: the packaged rott-sync jar, or the official
 * Node sync server from the test client's node_modules. Output goes to a log file under target/.
 */
final class ServerProcess implements AutoCloseable {
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private int port;
    private int managementPort;
    private long logOffset;
    private Process process;

    private ServerProcess(List<String> command, Map<String, String> env, Path log, int port) {
        this.command = command;
        this.env = env;
        this.log = log;
        this.port = port;
    }

    static ServerProcess rottSync(Path dataDir, String name) throws IOException {
        return rottSync(dataDir, name, Map.of());
    }

    static ServerProcess rottSync(Path dataDir, String name, Map<String, String> extraEnv) throws IOException {
        String jar = System.getProperty("rott.app.jar", "target/quarkus-app/quarkus-run.jar");
        int port = freePort();
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("PORT", String.valueOf(port));
        env.put("DATA_DIR", dataDir.toString());
        env.putIfAbsent("HOST", "127.0.0.1");
        // Health and metrics on a free port of their own, so that servers can run side by side.
        env.putIfAbsent("MANAGEMENT_PORT", String.valueOf(freePort()));
        env.putIfAbsent("MANAGEMENT_HOST", "127.0.0.1");
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-jar", jar));
        if (extraEnv.containsKey(RUN_AS_UID)) {
            // setpriv (util-linux) drops root, so that file permissions apply to the server as they would in production.
            cmd.addAll(0, List.of("setpriv", "--reuid=" + extraEnv.get(RUN_AS_UID), "--regid=" + extraEnv.get(RUN_AS_UID),
                    "--clear-groups", "--"));
            env.remove(RUN_AS_UID);
        }
        ServerProcess server = new ServerProcess(cmd, env, logFile(name), port);
        server.managementPort = Integer.parseInt(env.get("MANAGEMENT_PORT"));
        return server;
    }

    /** Pseudo variable for {@link #rottSync(Path, String, Map)}: run the server under this uid (the tests run as root). */
    static final String RUN_AS_UID = "__RUN_AS_UID";

    static ServerProcess officialServer(Path dataDir, String name) throws IOException {
        int port = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("PORT", String.valueOf(port));
        env.put("DATA_DIR", dataDir.toString());
        env.put("HOSTNAME", "official");
        // The unmodified official entry point, bound to 127.0.0.1 (test-client/official-server.mjs).
        Path entry = NodeClient.clientDir().resolve("official-server.mjs");
        return new ServerProcess(List.of("node", entry.toString()), env, logFile(name), port);
    }

    private static Path logFile(String name) throws IOException {
        Path dir = Path.of("target", "it-logs");
        Files.createDirectories(dir);
        return dir.resolve(name + ".log");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String host() {
        return env.getOrDefault("HOST", "127.0.0.1");
    }

    String url() {
        return "ws://" + host() + ":" + port;
    }

    int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<MANAGEMENT_PORT><path>}, e.g. {@code /q/health/ready}. */
    String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    String httpUrl(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** SIGTERM without waiting. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to end; false if it is still running after {@code timeout}. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Starts on a given port, e.g. the port of a server this one replaces, so connected clients find it. */
    ServerProcess startOnPort(int fixedPort) throws Exception {
        port = fixedPort;
        env.put("PORT", String.valueOf(fixedPort));
        return start();
    }

    ServerProcess start() throws Exception {
        logOffset = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = builder.start();
        awaitPort(host(), port, Duration.ofSeconds(60));
        if (managementPort > 0) {
            awaitPort(env.getOrDefault("MANAGEMENT_HOST", "127.0.0.1"), managementPort, Duration.ofSeconds(30));
        }
        return this;
    }

    private void awaitPort(String host, int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket ignored = new Socket(host, port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("server did not open port " + port + " in " + timeout + "; see " + log);
    }

    /** SIGTERM and wait: a clean shutdown. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    /** SIGKILL: the process gets no chance to flush anything. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** The log written since the last start (log files are appended to across runs). */
    String logSinceStart() throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(logOffset, all.length), (int) Math.max(0, all.length - logOffset),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    static List<String> args(String... items) {
        return new ArrayList<>(List.of(items));
    }
}

package rottsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The command's own logic: where it asks, how it reads each kind of answer, its exit codes. Plain JUnit:
 * {@code HealthcheckIT} runs it against the real packaged server (UP, and nothing listening). A real
 * server answers DOWN only while a readiness check fails, so that answer is served here by the JDK's HTTP
 * server with SmallRye Health's body format.
 */
class HealthcheckCommandTest {
    @Test
    void asksTheManagementPortOnLoopbackByDefault() {
        assertThat(new HealthcheckCommand(Map.of()).defaultUrl())
                .isEqualTo(URI.create("http://127.0.0.1:9000/q/health/ready"));
        assertThat(new HealthcheckCommand(Map.of("MANAGEMENT_PORT", "9100", "MANAGEMENT_HOST", "0.0.0.0")).defaultUrl())
                .isEqualTo(URI.create("http://127.0.0.1:9100/q/health/ready"));
        assertThat(new HealthcheckCommand(Map.of("MANAGEMENT_HOST", "::1")).defaultUrl())
                .isEqualTo(URI.create("http://[::1]:9000/q/health/ready"));
    }

    @Test
    void helpIsPrintedThroughTheCommandList() {
        Run run = Run.of("healthcheck", "--help");
        assertThat(run.code).isZero();
        assertThat(run.out).contains("Usage: java -jar quarkus-run.jar healthcheck", "MANAGEMENT_PORT", "Exit status 0");
        Run overview = Run.of("--help");
        assertThat(overview.out).contains("healthcheck", "container healthchecks");
    }

    @Test
    void nothingListeningIsOneLineAndExitOne() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Run run = Run.of("healthcheck", "--url", "http://127.0.0.1:" + port + "/q/health/ready", "--timeout", "2");
        assertThat(run.code).isEqualTo(1);
        assertThat(run.err.strip()).doesNotContain("\n").startsWith("NOT READY: nothing answers at")
                .contains("connection refused");
    }

    @Test
    void badArgumentsExitOneNeverTwoWhichDockerReserves() {
        assertThat(Run.of("healthcheck", "--bogus")).satisfies(run -> {
            assertThat(run.code).isEqualTo(1);
            assertThat(run.err).contains("unknown option --bogus");
        });
        assertThat(Run.of("healthcheck", "--url")).satisfies(run -> {
            assertThat(run.code).isEqualTo(1);
            assertThat(run.err).contains("--url needs a value");
        });
        assertThat(Run.of("healthcheck", "--timeout", "soon")).satisfies(run -> {
            assertThat(run.code).isEqualTo(1);
            assertThat(run.err).contains("--timeout takes a number of seconds");
        });
        assertThat(Run.of("healthcheck", "extra").code).isEqualTo(1);
    }

    @Test
    void downNamesTheFailingChecksAndExitsOne() throws Exception {
        String body = """
                {"status":"DOWN","checks":[{"name":"data-dir","status":"DOWN","data":{"path":"/data","writable":false}},
                {"name":"relay","status":"UP"}]}""";
        Run run = askServerAnswering(503, body);
        assertThat(run.code).isEqualTo(1);
        assertThat(run.err.strip()).startsWith("DOWN (HTTP 503)").contains("data-dir", "\"writable\":false")
                .doesNotContain("relay");
    }

    @Test
    void upExitsZero() throws Exception {
        Run run = askServerAnswering(200, "{\"status\":\"UP\",\"checks\":[]}");
        assertThat(run.code).isZero();
        assertThat(run.out.strip()).startsWith("UP: http://127.0.0.1:");
    }

    @Test
    void somethingElseOnThePortIsNotReady() throws Exception {
        Run run = askServerAnswering(404, "<html>not here</html>");
        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).contains("unexpected answer", "HTTP 404", "not here");
    }

    /** Runs the healthcheck against a stand-in server that answers the readiness path this way. */
    private static Run askServerAnswering(int status, String body) throws Exception {
        HttpServer server = serve(status, body);
        try {
            return Run.of("healthcheck", "--url", url(server));
        } finally {
            server.stop(0);
        }
    }

    private static HttpServer serve(int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/health/ready", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/q/health/ready";
    }

    private record Run(int code, String out, String err) {
        static Run of(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Commands.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}

package rottsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code healthcheck}: asks the running server's management interface whether it is ready, so a container
 * healthcheck needs nothing but the image's own JVM (no curl or wget in the image).
 *
 * <p>Exit 0 when {@code /q/health/ready} answers {@code UP}; exit 1 with one line that says why otherwise
 * (nothing listening, no answer in time, {@code DOWN} with the failing checks, an unexpected answer, a
 * bad argument). Never 2: Docker reserves that exit code of a healthcheck.
 */
public final class HealthcheckCommand implements Command {
    static final int DEFAULT_MANAGEMENT_PORT = 9000;
    static final String READY_PATH = "/q/health/ready";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;

    public HealthcheckCommand() {
        this(System.getenv());
    }

    HealthcheckCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "healthcheck";
    }

    @Override
    public String summary() {
        return "exit 0 if the running server is ready, 1 otherwise (for container healthchecks)";
    }

    @Override
    public String usage() {
        return """
                Usage: java -jar quarkus-run.jar healthcheck [--url URL] [--timeout SECONDS]

                Asks the running server whether it is ready to serve clients:
                  GET http://127.0.0.1:$MANAGEMENT_PORT/q/health/ready   (MANAGEMENT_PORT defaults to 9000;
                  MANAGEMENT_HOST is used instead of 127.0.0.1 when it names one address)
                Prints one line. Exit status 0 when the server answers UP, 1 otherwise (not running, not
                ready, DOWN, or no answer in time).

                Options:
                  --url URL          ask this URL instead
                  --timeout SECONDS  give up after this long (default 5)

                In the image (compose healthcheck, kubectl exec):
                  java -jar /home/jboss/quarkus-run.jar healthcheck""";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        URI url = defaultUrl();
        Duration timeout = Duration.ofSeconds(5);
        try {
            Args a = Args.parse(args, Set.of("url", "timeout"), Set.of());
            if (!a.positionals().isEmpty()) {
                throw new Args.UsageException("unknown argument '" + a.positionals().get(0) + "'");
            }
            if (a.value("url").isPresent()) {
                url = parseUrl(a.value("url").get());
            }
            if (a.value("timeout").isPresent()) {
                timeout = parseSeconds(a.value("timeout").get());
            }
        } catch (Args.UsageException e) {
            // Exit 1 even for a usage error: a container healthcheck knows only 0 and 1.
            err.println("healthcheck: " + e.getMessage() + " (see healthcheck --help)");
            return 1;
        }
        Verdict verdict = check(url, timeout);
        (verdict.ready() ? out : err).println(verdict.line());
        return verdict.ready() ? 0 : 1;
    }

    private static URI parseUrl(String text) throws Args.UsageException {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--url is not a URL: " + text);
        }
    }

    private static Duration parseSeconds(String text) throws Args.UsageException {
        try {
            double seconds = Double.parseDouble(text);
            if (!(seconds > 0)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis((long) (seconds * 1000));
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--timeout takes a number of seconds, not '" + text + "'");
        }
    }

    /** The readiness URL from MANAGEMENT_PORT and MANAGEMENT_HOST, as the server itself reads them. */
    URI defaultUrl() {
        String port = env.getOrDefault("MANAGEMENT_PORT", String.valueOf(DEFAULT_MANAGEMENT_PORT)).trim();
        String host = env.getOrDefault("MANAGEMENT_HOST", "").trim();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port + READY_PATH);
    }

    record Verdict(boolean ready, String line) {}

    static Verdict check(URI url, Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json")
                .GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            return new Verdict(false, "NOT READY: nothing answers at " + url + " (connection refused): the server"
                    + " is not running or still starting, or MANAGEMENT_PORT differs from the server's");
        } catch (HttpTimeoutException e) {
            return new Verdict(false, "NOT READY: no answer from " + url + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new Verdict(false, "NOT READY: cannot ask " + url + ": " + e);
        }
        return judge(url, response.statusCode(), response.body());
    }

    /** Reads SmallRye Health's answer: {@code {"status":"UP|DOWN","checks":[{"name","status","data"}]}}. */
    static Verdict judge(URI url, int statusCode, String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        String status = json == null ? "" : json.path("status").asText("");
        if (statusCode == 200 && status.equals("UP")) {
            return new Verdict(true, "UP: " + url);
        }
        if (status.equals("DOWN")) {
            List<String> down = new ArrayList<>();
            for (JsonNode check : json.path("checks")) {
                if (!"UP".equals(check.path("status").asText())) {
                    JsonNode data = check.path("data");
                    down.add(check.path("name").asText("?") + (data.isMissingNode() ? "" : " " + data));
                }
            }
            return new Verdict(false, "DOWN (HTTP " + statusCode + ") at " + url
                    + (down.isEmpty() ? "" : ": " + String.join("; ", down)));
        }
        String excerpt = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        if (excerpt.length() > 200) {
            excerpt = excerpt.substring(0, 200) + "…";
        }
        return new Verdict(false, "NOT READY: unexpected answer from " + url + ": HTTP " + statusCode
                + (excerpt.isEmpty() ? "" : " " + excerpt));
    }
}

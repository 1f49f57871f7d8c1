package rottsync.interop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/** Plain HTTP GETs against a server under test, and Prometheus text parsed into numbers. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, String body) {}

    private Http() {}

    static Response get(String url) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }

    /** GETs until the response satisfies {@code until}; fails with the last response after {@code timeout}. */
    static Response poll(String url, Duration timeout, Predicate<Response> until) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response last = null;
        Exception error = null;
        while (System.nanoTime() < deadline) {
            try {
                last = get(url);
                error = null;
                if (until.test(last)) {
                    return last;
                }
            } catch (java.io.IOException e) {
                error = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET " + url + " did not reach the expected state in " + timeout + "; last: "
                + (last != null ? last.status() + " " + last.body() : String.valueOf(error)));
    }

    /** {@code name{labels}} (exactly as exposed) to value, for every sample of a Prometheus scrape. */
    static Map<String, Double> metrics(ServerProcess server) throws Exception {
        Response r = get(server.managementUrl("/q/metrics"));
        if (r.status() != 200) {
            throw new AssertionError("/q/metrics answered " + r.status());
        }
        Map<String, Double> out = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    /** Scrapes until {@code until} holds for the samples. */
    static Map<String, Double> pollMetrics(ServerProcess server, Duration timeout, Predicate<Map<String, Double>> until)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Double> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = metrics(server);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        Map<String, Double> rott = new java.util.TreeMap<>();
        last.forEach((k, v) -> {
            if (k.startsWith("rott_") && !k.contains("_bucket")) {
                rott.put(k, v);
            }
        });
        throw new AssertionError("metrics did not reach the expected state in " + timeout + "; rott_ samples: " + rott);
    }

    static double value(Map<String, Double> samples, String key) {
        return samples.getOrDefault(key, 0.0);
    }

    static Map<String, Double> copy(Map<String, Double> m) {
        return new HashMap<>(m);
    }
}

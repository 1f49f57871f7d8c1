package rottsync.ops;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET /} on the client port: the status page for a browser. A WebSocket upgrade on the same path is
 * passed on to the sync endpoint, or refused with 503 once the server is shutting down. {@code
 * /status.json} carries the same values for the page's refresh and for scripts.
 */
@ApplicationScoped
public class StatusPage {
    private final OpsState state;
    private final int port;

    StatusPage(OpsState state, @ConfigProperty(name = "quarkus.http.port") int port) {
        this.state = state;
        this.port = port;
    }

    void routes(@Observes Router router) {
        router.get("/").order(Integer.MIN_VALUE).handler(this::root);
        router.get("/status.json").handler(this::json);
    }

    private void root(RoutingContext ctx) {
        String upgrade = ctx.request().getHeader(HttpHeaders.UPGRADE);
        if (upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("websocket")) {
            if (state.driver().isShuttingDown()) {
                state.driver().refuse(ctx.request().remoteAddress() == null ? "?"
                        : ctx.request().remoteAddress().toString(), "server shutting down");
                ctx.response().setStatusCode(503).putHeader("Retry-After", "5")
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .end("rott-sync is shutting down; reconnect in a moment\n");
                return;
            }
            ctx.next();
            return;
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(StatusPageRenderer.html(state.snapshot(), clientUrl(ctx), Instant.now()));
    }

    private void json(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(StatusPageRenderer.json(state.snapshot(), clientUrl(ctx), Instant.now()));
    }

    /** The address the browser used, as a WebSocket URL (wss:// behind a TLS proxy that says so). */
    private String clientUrl(RoutingContext ctx) {
        String host = ctx.request().getHeader(HttpHeaders.HOST);
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.:\\[\\]_-]+")) {
            host = "localhost:" + port;
        }
        String proto = ctx.request().getHeader("X-Forwarded-Proto");
        boolean tls = ctx.request().isSSL() || "https".equalsIgnoreCase(proto);
        return (tls ? "wss://" : "ws://") + host;
    }
}

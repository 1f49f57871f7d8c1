package rottsync.server;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The official server accepts WebSocket upgrades on any path, so some clients are configured with
 * {@code ws://host:3030/sync} or similar. Such upgrades are rerouted to the endpoint on "/".
 */
@ApplicationScoped
public class AnyPathUpgrade {
    void install(@Observes Router router) {
        // Runs right after the access gate.
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            String upgrade = ctx.request().getHeader(HttpHeaders.UPGRADE);
            if (upgrade != null && "websocket".equalsIgnoreCase(upgrade) && !"/".equals(ctx.normalizedPath())) {
                ctx.reroute("/");
            } else {
                ctx.next();
            }
        });
    }
}

package rottsync.server;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;
import rottsync.access.AccessSettings;
import rottsync.access.ConnectionLimits;
import rottsync.access.NetworkPolicy;
import rottsync.access.TokenCheck;

/**
 * The gate in front of everything on the client port: addresses outside the allowed networks get 403,
 * WebSocket upgrades without the token (when one is set) get 401, both before any protocol work.
 */
@ApplicationScoped
public class AccessControl {
    private static final Logger LOG = Logger.getLogger("rottsync.access");

    private final NetworkPolicy networks;
    private final TokenCheck token;
    private final ConnectionLimits limits;
    private final ServerEvents events;
    private final LogRateLimit refusals = new LogRateLimit(ProblemLog.LINES_PER_MINUTE, 60_000, System::currentTimeMillis);

    AccessControl(RottConfig config, jakarta.enterprise.inject.Instance<ServerEvents> listeners) {
        this.networks = NetworkPolicy.of(config.allowedNetworks().orElse(null), config.trustedProxies().orElse(null));
        this.token = AccessSettings.token(config.authToken().orElse(null), config.authTokenFile().orElse(null));
        this.limits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerAddress());
        this.events = listeners.isResolvable() ? listeners.get() : new ServerEvents() { };
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            String client = clientAddress(request.remoteAddress().host(), request.getHeader("X-Forwarded-For"));
            if (!networks.allows(client)) {
                refuse(ctx, 403, "network-refused", client, "address not in ALLOWED_NETWORKS");
                return;
            }
            if (isUpgrade(request) && !token.accepts(Optional.ofNullable(request.getParam("token")),
                    Optional.ofNullable(request.getHeader(HttpHeaders.AUTHORIZATION)))) {
                refuse(ctx, 401, "token-refused", client, "missing or wrong token");
                return;
            }
            ctx.next();
        });
    }

    private void refuse(io.vertx.ext.web.RoutingContext ctx, int status, String kind, String client, String why) {
        boolean upgrade = isUpgrade(ctx.request());
        LogRateLimit.Decision decision = refusals.attempt(kind + (upgrade ? ":upgrade" : ":http"));
        if (decision.log()) {
            LOG.warnf("refused %s from %s: %s (HTTP %d)%s", upgrade ? "connection"
                    : "request " + ctx.request().method() + " " + ctx.normalizedPath(), client, why, status,
                    decision.suppressedBefore() == 0 ? "" : " (" + decision.suppressedBefore() + " similar suppressed)");
        }
        events.connectionRefused(kind);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(why + "\n");
    }

    static boolean isUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        return upgrade != null && "websocket".equalsIgnoreCase(upgrade);
    }

    /** The client behind the connection, believing X-Forwarded-For only from TRUSTED_PROXIES. */
    public String clientAddress(String peerHost, String forwardedFor) {
        return networks.clientAddress(peerHost, forwardedFor);
    }

    public ConnectionLimits limits() {
        return limits;
    }

    public String describe() {
        return "allowed networks " + networks.describe()
                + networks.describeProxies().map(p -> "; trusted proxies " + p).orElse("")
                + "; token " + (token.isRequired() ? "required" : "off");
    }

    public String allowedNetworks() {
        return networks.describe();
    }

    public boolean tokenRequired() {
        return token.isRequired();
    }
}

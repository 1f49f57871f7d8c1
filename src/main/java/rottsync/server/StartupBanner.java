package rottsync.server;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** The one line an operator needs at start: where clients connect and where data lives. */
@ApplicationScoped
public class StartupBanner {
    private static final Logger LOG = Logger.getLogger("rottsync");

    void onStart(@Observes StartupEvent event, ServerStorage storage, SyncDriver driver, AccessControl access,
            @ConfigProperty(name = "quarkus.http.host") String host,
            @ConfigProperty(name = "quarkus.http.port") int port,
            @ConfigProperty(name = "quarkus.management.port") int managementPort) {
        String shownHost = "0.0.0.0".equals(host) || "::".equals(host) ? SyncDriver.hostname() : host;
        LOG.infof("rott-sync ready: clients connect to ws://%s:%d (listening on %s:%d, status page http://%s:%d/);"
                + " health and metrics on port %d; data dir %s; storage id %s; peer id %s", shownHost, port, host, port,
                shownHost, port, managementPort, storage.dataDir(), storage.storageId(), driver.hub().serverPeerId());
        LOG.infof("access: %s", access.describe());
    }
}

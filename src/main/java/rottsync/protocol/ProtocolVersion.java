package rottsync.protocol;

import java.util.List;
import java.util.Optional;

/** The protocol versions this server speaks. automerge-repo 1.x and 2.x both speak only "1". */
public final class ProtocolVersion {
    public static final String V1 = "1";

    private ProtocolVersion() {}

    /** Picks the version for a joining peer; a peer that lists none is assumed to speak "1". */
    public static Optional<String> select(List<String> supportedByPeer) {
        if (supportedByPeer == null || supportedByPeer.contains(V1)) {
            return Optional.of(V1);
        }
        return Optional.empty();
    }
}

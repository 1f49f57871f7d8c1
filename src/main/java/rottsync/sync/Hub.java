package rottsync.sync;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import rottsync.protocol.DocumentId;
import rottsync.protocol.ProtocolVersion;
import rottsync.protocol.WireMessage;
import rottsync.protocol.WireMessage.DocumentMessage;
import rottsync.protocol.WireMessage.Ephemeral;
import rottsync.protocol.WireMessage.Join;
import rottsync.protocol.WireMessage.PeerMetadata;

/**
 * Connection handshake and routing. Each connection moves from awaiting-join to established to
 * closed; established connections' document messages go to the document's lane through the
 * {@link DocumentRouter}. Work for one connection is serialised on that connection's lock; different
 * connections proceed in parallel. No I/O: replies and closes leave as {@link Effects}.
 */
public final class Hub {
    /** Ephemeral dedup entries per connection; a repo normally has one session, so this is generous. */
    static final int MAX_EPHEMERAL_SESSIONS = 16;

    private final String serverPeerId;
    private final String storageId;
    private final DocumentRouter router;
    private final int maxDocumentsPerConnection;
    private final Map<ConnectionId, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Session> sessionsByPeer = new ConcurrentHashMap<>();

    private enum Phase { AWAITING_JOIN, ESTABLISHED, CLOSED }

    private static final class Session {
        final ConnectionId connection;
        final String remoteAddress;
        Phase phase = Phase.AWAITING_JOIN;
        PeerRef peer;
        final Set<DocumentId> documents = new LinkedHashSet<>();
        final Map<String, Long> ephemeralCounts = new LinkedHashMap<>(4, 0.75f, true);

        Session(ConnectionId connection, String remoteAddress) {
            this.connection = connection;
            this.remoteAddress = remoteAddress;
        }
    }

    public Hub(String serverPeerId, String storageId, DocumentRouter router) {
        this(serverPeerId, storageId, router, Integer.MAX_VALUE);
    }

    /** @param maxDocumentsPerConnection documents one connection may sync; the next one closes it */
    public Hub(String serverPeerId, String storageId, DocumentRouter router, int maxDocumentsPerConnection) {
        this.serverPeerId = serverPeerId;
        this.storageId = storageId;
        this.router = router;
        this.maxDocumentsPerConnection = maxDocumentsPerConnection;
    }

    public String serverPeerId() {
        return serverPeerId;
    }

    public int connectionCount() {
        return sessions.size();
    }

    public int peerCount() {
        return sessionsByPeer.size();
    }

    public void opened(ConnectionId connection, String remoteAddress) {
        sessions.put(connection, new Session(connection, remoteAddress));
    }

    public Optional<String> remoteAddress(ConnectionId connection) {
        Session s = sessions.get(connection);
        return s == null ? Optional.empty() : Optional.of(s.remoteAddress);
    }

    /** The peer id of a joined connection, for logs. */
    public Optional<String> peerId(ConnectionId connection) {
        Session s = sessions.get(connection);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return s.peer == null ? Optional.empty() : Optional.of(s.peer.peerId());
        }
    }

    public Effects received(ConnectionId connection, WireMessage message) {
        Effects fx = new Effects();
        Session s = sessions.get(connection);
        if (s == null) {
            return fx;
        }
        synchronized (s) {
            switch (s.phase) {
                case AWAITING_JOIN -> awaitingJoin(s, message, fx);
                case ESTABLISHED -> established(s, message, fx);
                case CLOSED -> { }
            }
        }
        return fx;
    }

    /** A frame that could not be used: tell the peer why and close with {@code closeCode}. */
    public Effects malformed(ConnectionId connection, String kind, String reason, int closeCode) {
        Effects fx = new Effects();
        Session s = sessions.get(connection);
        if (s == null) {
            return fx;
        }
        synchronized (s) {
            if (s.phase != Phase.CLOSED) {
                reject(s, kind, reason, closeCode, fx);
            }
        }
        return fx;
    }

    public void closed(ConnectionId connection) {
        Session s = sessions.remove(connection);
        if (s == null) {
            return;
        }
        synchronized (s) {
            end(s);
        }
    }

    private void awaitingJoin(Session s, WireMessage message, Effects fx) {
        if (!(message instanceof Join join)) {
            reject(s, "before-join", "the first message must be 'join'", CloseCodes.POLICY_VIOLATION, fx);
            return;
        }
        Optional<String> version = ProtocolVersion.select(join.supportedProtocolVersions());
        if (version.isEmpty()) {
            reject(s, "unsupported-version", "unsupported protocol version", CloseCodes.PROTOCOL_ERROR, fx);
            return;
        }
        PeerMetadata meta = join.peerMetadata();
        s.peer = new PeerRef(s.connection, join.senderId(), meta.storageId(), meta.isEphemeral());
        Session replaced = sessionsByPeer.put(join.senderId(), s);
        if (replaced != null && replaced != s) {
            // Same peer on a new socket (automerge-repo PR #206): the old one goes, with its sync states reset.
            synchronized (replaced) {
                if (replaced.phase != Phase.CLOSED) {
                    fx.close(replaced.connection, CloseCodes.POLICY_VIOLATION, "replaced by a newer connection");
                    end(replaced);
                }
            }
        }
        s.phase = Phase.ESTABLISHED;
        fx.send(s.connection, new WireMessage.Peer(serverPeerId, new PeerMetadata(storageId, false),
                version.get(), join.senderId()));
    }

    private void established(Session s, WireMessage message, Effects fx) {
        if (!s.peer.peerId().equals(message.senderId())) {
            if (message instanceof Ephemeral) {
                // JS repos re-forward ephemeral messages under the original sender's id; the official
                // server drops these silently, and so do we.
                return;
            }
            fx.problem(s.connection, "sender-mismatch", "senderId does not match the joined peer");
            fx.send(s.connection, error(s, "senderId does not match the peer that joined on this connection"));
            return;
        }
        if (message instanceof DocumentMessage dm) {
            if (dm instanceof Ephemeral e && !isNewEphemeral(s, e)) {
                return;
            }
            if (!s.documents.contains(dm.documentId()) && s.documents.size() >= maxDocumentsPerConnection) {
                reject(s, "too-many-documents", "this connection already syncs " + s.documents.size()
                        + " documents (MAX_DOCUMENTS_PER_CONNECTION)", CloseCodes.POLICY_VIOLATION, fx);
                return;
            }
            s.documents.add(dm.documentId());
            router.route(dm.documentId(), new DocumentInput.PeerMessage(s.peer, dm));
        } else if (message instanceof Join) {
            fx.send(s.connection, new WireMessage.Peer(serverPeerId, new PeerMetadata(storageId, false),
                    ProtocolVersion.V1, s.peer.peerId()));
        } else if (message instanceof WireMessage.Error e) {
            fx.problem(s.connection, "peer-error", "peer reported: " + e.message());
        }
        // leave, peer and ignored gossip types need nothing.
    }

    /** automerge-repo's NetworkSubsystem rule: a (sender, session) pair's counts must strictly grow. */
    private static boolean isNewEphemeral(Session s, Ephemeral e) {
        Long last = s.ephemeralCounts.get(e.sessionId());
        if (last != null && e.count() <= last) {
            return false;
        }
        s.ephemeralCounts.put(e.sessionId(), e.count());
        if (s.ephemeralCounts.size() > MAX_EPHEMERAL_SESSIONS) {
            s.ephemeralCounts.remove(s.ephemeralCounts.keySet().iterator().next());
        }
        return true;
    }

    private void reject(Session s, String kind, String reason, int closeCode, Effects fx) {
        fx.problem(s.connection, kind, reason);
        fx.send(s.connection, error(s, reason));
        fx.close(s.connection, closeCode, reason);
        end(s);
    }

    private WireMessage.Error error(Session s, String reason) {
        return new WireMessage.Error(serverPeerId, reason, s.peer == null ? null : s.peer.peerId());
    }

    /** Caller holds the session's lock. */
    private void end(Session s) {
        if (s.phase == Phase.CLOSED) {
            return;
        }
        s.phase = Phase.CLOSED;
        if (s.peer != null) {
            sessionsByPeer.remove(s.peer.peerId(), s);
            for (DocumentId doc : s.documents) {
                router.route(doc, new DocumentInput.PeerLeft(s.peer));
            }
        }
        s.documents.clear();
    }

    /** Whether the connection has completed the join handshake. */
    public boolean isJoined(ConnectionId connection) {
        Session s = sessions.get(connection);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.phase == Phase.ESTABLISHED;
        }
    }

    /** Documents the connection has sent messages about, for limits and diagnostics. */
    public int documentCount(ConnectionId connection) {
        Session s = sessions.get(connection);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.documents.size();
        }
    }

    List<ConnectionId> connections() {
        return List.copyOf(sessions.keySet());
    }
}

package rottsync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.automerge.Document;
import org.automerge.SyncState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Differential tests: real Automerge documents (automerge-java, the engine inside the 1.x clients' line) sync
 * through the engine-free relay side, and every client must end with the same heads as the relay's graph.
 * Random histories: several actors, concurrent offline branches, reconnects with parked state, and a relay
 * restarted from its stored bytes.
 */
class PeerSyncTest {
    private static final long WAITING = 1 << 20;
    private final List<Document> docs = new ArrayList<>();

    /** One client document and its connection to the relay. */
    private final class Client {
        final Document doc;
        SyncState state = new SyncState();
        PeerSync relaySide;

        Client(int actor) {
            doc = new Document(EngineDocs.actor(actor));
            docs.add(doc);
            relaySide = new PeerSync(null);
        }

        void reconnect() {
            state.free();
            state = new SyncState();
            relaySide = new PeerSync(relaySide.sharedHeads());
        }
    }

    @AfterEach
    void free() {
        docs.forEach(Document::free);
    }

    /** Messages both ways until neither side has anything to say. */
    private static int syncUntilQuiet(Client client, ChangeGraph relay) throws Exception {
        int rounds = 0;
        for (; rounds < 50; rounds++) {
            boolean moved = false;
            Optional<byte[]> fromClient = client.doc.generateSyncMessage(client.state);
            if (fromClient.isPresent()) {
                moved = true;
                SyncMessage message = SyncMessage.decode(fromClient.get());
                List<Change> changes = new ArrayList<>();
                for (SyncMessage.Entry e : message.changes()) {
                    changes.addAll(Chunks.parse(e.source(), e.offset(), e.length(), 1 << 24).changes());
                }
                PeerSync.Received received = client.relaySide.receive(message, changes, relay, WAITING);
                assertThat(received.refusal()).isNull();
            }
            Optional<byte[]> fromRelay = client.relaySide.generate(relay);
            if (fromRelay.isPresent()) {
                moved = true;
                client.doc.receiveSyncMessage(client.state, fromRelay.get());
            }
            if (!moved) {
                return rounds;
            }
        }
        throw new AssertionError("no quiet after 50 rounds: a sync loop");
    }

    @Test
    void aClientUploadsAndASecondDownloads() throws Exception {
        ChangeGraph relay = new ChangeGraph();
        Client alice = new Client(1);
        for (int i = 0; i < 10; i++) {
            EngineDocs.edit(alice.doc, "k" + i, "v" + i);
        }
        syncUntilQuiet(alice, relay);
        assertThat(relay.heads()).isEqualTo(EngineDocs.heads(alice.doc));
        Client bob = new Client(2);
        syncUntilQuiet(bob, relay);
        assertThat(EngineDocs.heads(bob.doc)).isEqualTo(relay.heads());
        assertThat(bob.doc.get(org.automerge.ObjectId.ROOT, "k9")).isPresent();
    }

    @Test
    void randomConcurrentHistoriesConvergeThroughTheRelay() throws Exception {
        for (long seed = 1; seed <= 6; seed++) {
            Random random = new Random(seed);
            ChangeGraph relay = new ChangeGraph();
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < 3 + random.nextInt(3); i++) {
                clients.add(new Client(10 * (int) seed + i));
            }
            for (int step = 0; step < 40; step++) {
                Client c = clients.get(random.nextInt(clients.size()));
                int action = random.nextInt(10);
                if (action < 6) {
                    for (int n = random.nextInt(4); n >= 0; n--) {
                        EngineDocs.edit(c.doc, "k" + random.nextInt(8), "s" + seed + "-" + step + "-" + n);
                    }
                } else if (action < 9) {
                    syncUntilQuiet(c, relay);
                } else {
                    c.reconnect();
                }
            }
            for (int pass = 0; pass < 2; pass++) {
                for (Client c : clients) {
                    syncUntilQuiet(c, relay);
                }
            }
            for (Client c : clients) {
                assertThat(EngineDocs.heads(c.doc)).as("seed %d", seed).isEqualTo(relay.heads());
            }
            assertThat(relay.waitingCount()).isZero();
        }
    }

    @Test
    void changesThatArriveBeforeTheirDependenciesWaitAndDuplicatesAreSkipped() throws Exception {
        Client writer = new Client(3);
        for (int i = 0; i < 30; i++) {
            EngineDocs.edit(writer.doc, "k" + (i % 4), "v" + i);
        }
        List<Change> changes = new ArrayList<>(EngineDocs.changes(writer.doc));
        Collections.shuffle(changes, new Random(7));
        ChangeGraph relay = new ChangeGraph();
        List<Change> first = changes.subList(0, 15);
        assertThat(relay.add(first, WAITING)).isNull();
        for (Change c : first) {
            // a change is applied or waits; one that waits is never a head
            assertThat(relay.contains(c.hash()) != relay.isWaiting(c.hash())).isTrue();
            assertThat(relay.isWaiting(c.hash()) && relay.heads().contains(c.hash())).isFalse();
        }
        assertThat(relay.waitingCount()).isPositive();
        List<ChangeHash> need = relay.missing(EngineDocs.heads(writer.doc));
        for (ChangeHash h : need) {
            assertThat(relay.contains(h) || relay.isWaiting(h)).isFalse();
        }
        assertThat(relay.add(changes, WAITING)).isNull(); // the rest, with the first half again
        assertThat(relay.size()).isEqualTo(30);
        assertThat(relay.waitingCount()).isZero();
        assertThat(relay.heads()).isEqualTo(EngineDocs.heads(writer.doc));
        assertThat(relay.missing(EngineDocs.heads(writer.doc))).isEmpty();
    }

    @Test
    void aForkOfAnActorsHistoryIsRefusedWhole() throws Exception {
        Document base = new Document(EngineDocs.actor(5));
        docs.add(base);
        EngineDocs.edit(base, "a", "1");
        Document forkA = base.fork(EngineDocs.actor(5));
        Document forkB = base.fork(EngineDocs.actor(5));
        docs.add(forkA);
        docs.add(forkB);
        EngineDocs.edit(forkA, "b", "from a");
        EngineDocs.edit(forkB, "b", "from b");
        ChangeGraph relay = new ChangeGraph();
        assertThat(relay.add(EngineDocs.changes(forkA), WAITING)).isNull();
        int before = relay.size();
        assertThat(relay.add(EngineDocs.changes(forkB), WAITING)).isNotNull()
                .satisfies(r -> assertThat(r.reason()).contains("sequence number 2"));
        assertThat(relay.size()).isEqualTo(before);
    }

    @Test
    void aRelayRestartedFromItsStoredBytesServesEveryoneAgain() throws Exception {
        ChangeGraph relay = new ChangeGraph();
        Client alice = new Client(6);
        for (int i = 0; i < 12; i++) {
            EngineDocs.edit(alice.doc, "k" + i, "v" + i);
        }
        syncUntilQuiet(alice, relay);
        byte[] stored = relay.changeBytes(0, relay.size());
        ChangeGraph restarted = new ChangeGraph();
        assertThat(restarted.add(Chunks.parse(stored, 1 << 24).changes(), WAITING)).isNull();
        assertThat(restarted.heads()).isEqualTo(relay.heads());
        alice.reconnect();
        EngineDocs.edit(alice.doc, "after", "restart");
        syncUntilQuiet(alice, restarted);
        Client bob = new Client(7);
        syncUntilQuiet(bob, restarted);
        assertThat(EngineDocs.heads(bob.doc)).isEqualTo(EngineDocs.heads(alice.doc));
    }

    @Test
    void aPeerRememberingASyncTheRelayLostIsResetAndResendsEverything() throws Exception {
        ChangeGraph relay = new ChangeGraph();
        Client alice = new Client(8);
        EngineDocs.edit(alice.doc, "a", "1");
        syncUntilQuiet(alice, relay);
        ChangeGraph emptied = new ChangeGraph(); // the relay lost its data
        alice.relaySide = new PeerSync(null);
        syncUntilQuiet(alice, emptied);
        assertThat(emptied.heads()).isEqualTo(EngineDocs.heads(alice.doc));
    }
}

package rottsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.automerge.Document;
import org.junit.jupiter.api.Test;
import rottsync.protocol.DocumentId;
import rottsync.protocol.WireMessage;
import rottsync.storage.StorageKey;

/**
 * The synchronizer and hub without sockets: real Automerge documents on both sides, a real in-memory
 * store, every message passing through the same code the server runs.
 */
class DocumentSyncTest {
    final SyncHarness net = new SyncHarness();
    final DocumentId doc = DocumentId.random();

    @Test
    void joinIsAnsweredWithThePeerMessage() {
        SyncHarness.Client alice = net.client("alice");
        WireMessage.Peer peer = alice.receivedOf(WireMessage.Peer.class).get(0);
        assertThat(peer.senderId()).isEqualTo(SyncHarness.SERVER);
        assertThat(peer.targetId()).isEqualTo("alice");
        assertThat(peer.selectedProtocolVersion()).isEqualTo("1");
        assertThat(peer.peerMetadata().storageId()).isEqualTo("storage-id-1");
    }

    @Test
    void aDocumentUploadedByOnePeerReachesAnother() {
        SyncHarness.Client alice = aliceCreates("title", "hello");

        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);

        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("hello"));
        assertThat(bob.docs.get(doc).getHeads()).isEqualTo(alice.docs.get(doc).getHeads());
    }

    @Test
    void changesAreRelayedToEveryActivePeerWithoutPolling() {
        SyncHarness.Client alice = aliceCreates("title", "v1");
        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);

        alice.changeAndSync(doc, "title", "v2");

        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("v2"));
    }

    @Test
    void anUnknownDocumentIsUnavailableAndStillArrivesWhenUploadedLater() {
        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);
        assertThat(bob.receivedOf(WireMessage.DocUnavailable.class)).hasSize(1);
        assertThat(bob.receivedOf(WireMessage.Sync.class)).isEmpty();

        SyncHarness.Client alice = aliceCreates("title", "late");

        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("late"));
        assertThat(bob.receivedOf(WireMessage.DocUnavailable.class)).hasSize(1);
    }

    @Test
    void nothingIsSentBeforeTheChangeIsDurable() {
        SyncHarness.Client alice = aliceCreates("title", "v1");
        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);
        int bobBefore = bob.received.size();
        int aliceBefore = alice.received.size();

        net.holdWrites = true;
        alice.changeAndSync(doc, "title", "v2");
        assertThat(net.heldWrites).hasSize(1);
        assertThat(bob.received).hasSize(bobBefore);
        assertThat(alice.received).hasSize(aliceBefore);

        net.holdWrites = false;
        net.releaseWrites();
        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("v2"));
    }

    @Test
    void changesThatArriveWhileAWriteIsUnderWayGoToDiskTogether() throws Exception {
        SyncHarness.Client alice = aliceCreates("title", "v1");
        int chunksBefore = net.storedKeys(doc).size();

        net.holdWrites = true;
        alice.changeAndSync(doc, "a", "1");
        alice.changeAndSync(doc, "b", "2");
        alice.changeAndSync(doc, "c", "3");
        assertThat(net.heldWrites).as("one write in flight, the later changes wait for it").hasSize(1);

        net.releaseWrites();
        assertThat(net.heldWrites).as("one more write holds both later changes").hasSize(1);
        net.holdWrites = false;
        net.releaseWrites();
        assertThat(net.storedKeys(doc)).hasSize(chunksBefore + 2);
        aNewClientFinds("c", "3");
    }

    @Test
    void anUnloadAskedForDuringAWriteHappensOnceTheWriteLands() {
        SyncHarness.Client alice = aliceCreates("title", "v1");
        net.holdWrites = true;
        alice.changeAndSync(doc, "title", "v2");

        long storedBeforeTheWrite = net.documents.get(doc).storedBytesInMemory();
        assertThat(storedBeforeTheWrite).as("what the caps count while loaded").isPositive();
        net.pending.add(java.util.Map.entry(doc, new DocumentInput.Unload()));
        net.runUntilQuiescent();
        assertThat(net.documents.get(doc).isLoaded()).as("not durable yet, so still in memory").isTrue();

        net.holdWrites = false;
        net.releaseWrites();
        assertThat(net.documents.get(doc).isLoaded()).isFalse();
        assertThat(net.documents.get(doc).storedBytesInMemory()).isZero();
        aNewClientFinds("title", "v2");
    }

    @Test
    void aPeerSayingItIsUpToDateDoesNotBringTheDocumentBackIntoMemory() {
        SyncHarness.Client alice = aliceCreates("title", "v1");
        unload();
        int receivedBefore = alice.received.size();

        // What alice's repo sends when it starts over with the server (fresh sync state): "I have these heads".
        byte[] upToDate = upToDateMessage(alice.docs.get(doc));
        alice.send(new WireMessage.Sync("alice", SyncHarness.SERVER, doc, upToDate));

        assertThat(net.documents.get(doc).isLoaded()).as("answered without loading").isFalse();
        assertThat(alice.received).as("nothing to tell alice").hasSize(receivedBefore);

        // Bob never heard the server's heads: the same words from him load the document and get an answer.
        SyncHarness.Client bob = net.client("bob");
        bob.send(new WireMessage.Sync("bob", SyncHarness.SERVER, doc, upToDate));
        assertThat(bob.receivedOf(WireMessage.Sync.class)).isNotEmpty();
        assertThat(bob.docs.get(doc).getHeads()).isEqualTo(alice.docs.get(doc).getHeads());

        // Once alice changes the document, she is heard again at once.
        alice.changeAndSync(doc, "title", "v2");
        aNewClientFinds("title", "v2");
    }

    @Test
    void aPeerWithNothingIsServedTheStoredChunksWithoutTheDocumentEnteringMemory() {
        SyncHarness.Client alice = aliceCreates("title", "v1");
        alice.changeAndSync(doc, "title", "v2");
        unload();

        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);

        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("v2"));
        assertThat(bob.docs.get(doc).getHeads()).isEqualTo(alice.docs.get(doc).getHeads());
        assertThat(net.documents.get(doc).isLoaded()).as("served from storage, and bob's answer taken without a load")
                .isFalse();

        // What bob has is the real thing: his change reaches alice through the server.
        bob.change(doc, "title", "v3");
        bob.sync(doc);
        assertThat(alice.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("v3"));
    }

    @Test
    void aCompactedDocumentIsServedFromStorageToo() throws Exception {
        SyncHarness.Client alice = aliceCreates("n", "0");
        for (int i = 1; i <= PersistencePlan.MAX_INCREMENTAL_CHUNKS; i++) {
            alice.changeAndSync(doc, "n", String.valueOf(i));
        }
        assertThat(net.storedKeys(doc)).singleElement().satisfies(k -> assertThat(k.kind()).isEqualTo(StorageKey.SNAPSHOT));
        unload();

        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);

        assertThat(bob.docs.get(doc).getHeads()).isEqualTo(alice.docs.get(doc).getHeads());
        assertThat(net.documents.get(doc).isLoaded()).isFalse();
    }

    @Test
    void aSnapshotBesideIncrementalsIsLoadedAsUsual() throws Exception {
        SyncHarness.Client alice = aliceCreates("n", "0");
        for (int i = 1; i <= PersistencePlan.MAX_INCREMENTAL_CHUNKS + 1; i++) {
            alice.changeAndSync(doc, "n", String.valueOf(i));
        }
        assertThat(net.storedKeys(doc)).hasSize(2);
        unload();

        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);

        assertThat(bob.docs.get(doc).getHeads()).isEqualTo(alice.docs.get(doc).getHeads());
        assertThat(net.documents.get(doc).isLoaded()).as("heads not certain from the chunks: loaded").isTrue();
    }

    private SyncHarness.Client aliceCreates(String key, String value) {
        SyncHarness.Client alice = net.client("alice");
        alice.create(doc, key, value);
        alice.sync(doc);
        return alice;
    }

    private void unload() {
        net.pending.add(java.util.Map.entry(doc, new DocumentInput.Unload()));
        net.runUntilQuiescent();
        assertThat(net.documents.get(doc).isLoaded()).isFalse();
    }

    private static byte[] upToDateMessage(Document doc) {
        org.automerge.SyncState fresh = new org.automerge.SyncState();
        try {
            return doc.generateSyncMessage(fresh).orElseThrow();
        } finally {
            fresh.free();
        }
    }

    /** A client that has never seen the document fetches it from the server and finds the value. */
    private void aNewClientFinds(String key, String value) {
        SyncHarness.Client reader = net.client("reader");
        reader.sync(doc);
        assertThat(reader.value(doc, key)).hasValueSatisfying(v -> assertThat(v).contains(value));
    }

    @Test
    void aSecondJoinWithTheSamePeerIdReplacesTheOldConnection() {
        SyncHarness.Client first = net.client("alice");
        first.create(doc, "title", "v1");
        first.sync(doc);

        SyncHarness.Client second = net.client("alice");
        assertThat(net.closes).extracting(Effects.Close::connection).containsExactly(first.connection);
        second.sync(doc);
        assertThat(second.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("v1"));
        assertThat(net.hub.peerCount()).isEqualTo(1);
    }

    @Test
    void ephemeralMessagesGoToOtherActivePeersOnceAndAreNeverStored() {
        SyncHarness.Client alice = aliceCreates("title", "x");
        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);
        List<StorageKey> storedBefore = keys();

        WireMessage.Ephemeral hello = new WireMessage.Ephemeral("alice", SyncHarness.SERVER, doc,
                new byte[] {(byte) 0xa0}, "session-1", 5);
        alice.send(hello);
        alice.send(hello);
        alice.send(new WireMessage.Ephemeral("alice", SyncHarness.SERVER, doc, new byte[] {(byte) 0xa0},
                "session-1", 4));

        List<WireMessage.Ephemeral> got = bob.receivedOf(WireMessage.Ephemeral.class);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).senderId()).isEqualTo("alice");
        assertThat(got.get(0).targetId()).isEqualTo("bob");
        assertThat(alice.receivedOf(WireMessage.Ephemeral.class)).isEmpty();
        assertThat(keys()).isEqualTo(storedBefore);
    }

    @Test
    void idleDocumentsLeaveMemoryAndComeBackOnTheNextMessage() {
        SyncHarness.Client alice = aliceCreates("title", "v1");
        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);

        net.tick(net.idleMillis + 1);
        assertThat(net.documents.get(doc).isLoaded()).isFalse();

        alice.changeAndSync(doc, "title", "v2");
        assertThat(net.documents.get(doc).isLoaded()).isTrue();
        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("v2"));
    }

    @Test
    void manySmallChangesAreCompactedIntoOneSnapshotThatReloads() {
        SyncHarness.Client alice = aliceCreates("n", "0");
        for (int i = 1; i <= PersistencePlan.MAX_INCREMENTAL_CHUNKS + 5; i++) {
            alice.changeAndSync(doc, "n", String.valueOf(i));
        }
        List<StorageKey> stored = keys();
        assertThat(stored).anyMatch(k -> StorageKey.SNAPSHOT.equals(k.kind()));
        assertThat(stored.size()).isLessThan(PersistencePlan.MAX_INCREMENTAL_CHUNKS);

        SyncHarness fresh = new SyncHarness();
        net.store.loadRange(StorageKey.document(doc)).forEach(fresh.store::put);
        SyncHarness.Client reader = fresh.client("reader");
        reader.sync(doc);
        assertThat(reader.docs.get(doc).getHeads()).isEqualTo(alice.docs.get(doc).getHeads());
    }

    @Test
    void aCorruptChunkOnDiskCostsOnlyItself() {
        SyncHarness.Client alice = aliceCreates("title", "intact");
        alice.changeAndSync(doc, "later", "also kept");
        assertThat(keys()).as("two incremental chunks, the second depending on the first").hasSize(2);
        net.store.put(StorageKey.incremental(doc, "deadbeef"), new byte[] {0x01, 0x02, 0x03});

        SyncHarness fresh = new SyncHarness();
        net.store.loadRange(StorageKey.document(doc)).forEach(fresh.store::put);
        SyncHarness.Client reader = fresh.client("reader");
        reader.sync(doc);

        assertThat(reader.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("intact"));
        assertThat(reader.value(doc, "later")).hasValueSatisfying(v -> assertThat(v).contains("also kept"));
        assertThat(fresh.problems).extracting(Effects.Problem::kind).contains("corrupt-chunk");
        assertThat(fresh.store.load(StorageKey.incremental(doc, "deadbeef"))).isPresent();
    }

    @Test
    void corruptSyncDataClosesOnlyThatPeerAndWritesNothing() {
        SyncHarness.Client alice = aliceCreates("title", "safe");
        List<StorageKey> before = keys();
        SyncHarness.Client mallory = net.client("mallory");

        mallory.send(new WireMessage.Sync("mallory", SyncHarness.SERVER, doc,
                new byte[] {0x42, 0x01, 0x07, 0x07, 0x07}));

        assertThat(net.closes).extracting(Effects.Close::connection).containsExactly(mallory.connection);
        assertThat(net.closes.get(0).code()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        assertThat(mallory.receivedOf(WireMessage.Error.class)).hasSize(1);
        assertThat(keys()).isEqualTo(before);
        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);
        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("safe"));
    }

    /**
     * Frames that made Automerge 0.5.7 panic and so ended the whole server (hostile-input findings D1a: a
     * Bloom filter with entries but no bits, beside a valid change; D5: 2^26 probes). Before the check in
     * Java, the first of these aborted this very test JVM.
     */
    @Test
    void syncMessagesThatWouldPanicTheEngineAreRefusedBeforeItSeesThem() {
        aliceCreates("title", "safe");
        List<StorageKey> before = keys();
        SyncHarness.Client mallory = net.client("mallory");
        byte[][] hostile = {
            java.util.HexFormat.of().parseHex("4201ef848db958f076068d54ea1c996bb28938f8557b5a498555d9f6a78752df27"
                    + "0c000100030100010139856f4a83ef848db9012f001000000000000000000000000000000000010100000006"
                    + "1503340142025602570170027f0161017f017f14017f00"),
            java.util.HexFormat.of().parseHex("420000010007010880808020ff00"),
        };
        for (byte[] data : hostile) {
            mallory.send(new WireMessage.Sync("mallory", SyncHarness.SERVER, doc, data));
        }
        assertThat(net.closes).extracting(Effects.Close::connection).containsOnly(mallory.connection);
        assertThat(net.problems).extracting(Effects.Problem::kind).contains("invalid-sync-data");
        assertThat(mallory.receivedOf(WireMessage.Error.class)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.message()).contains("Bloom filter"));
        assertThat(keys()).isEqualTo(before);
        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);
        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("safe"));
    }

    @Test
    void aReconnectingPeerResumesFromSharedHeadsWithoutALoop() {
        SyncHarness.Client alice = net.client("alice");
        Document original = alice.create(doc, "title", "v1");
        alice.sync(doc);
        alice.disconnect();

        SyncHarness.Client again = net.new Client("alice").join();
        again.docs.put(doc, original);
        again.change(doc, "title", "v2");
        again.sync(doc);

        SyncHarness.Client bob = net.client("bob");
        bob.sync(doc);
        assertThat(bob.value(doc, "title")).hasValueSatisfying(v -> assertThat(v).contains("v2"));
    }

    @Test
    void messagesBeforeJoinAreRefusedWithAnErrorAndPolicyClose() {
        SyncHarness.Client eve = net.new Client("eve");
        net.clients.put(eve.connection, eve);
        net.hub.opened(eve.connection, "127.0.0.1:9");
        eve.send(new WireMessage.Request("eve", SyncHarness.SERVER, doc, new byte[] {0x42, 0, 0, 0, 0, 0}));
        assertThat(eve.receivedOf(WireMessage.Error.class)).hasSize(1);
        assertThat(net.closes).extracting(Effects.Close::code).containsExactly(CloseCodes.POLICY_VIOLATION);
        assertThat(net.documents).isEmpty();
    }

    private List<StorageKey> keys() {
        try {
            return net.storedKeys(doc);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

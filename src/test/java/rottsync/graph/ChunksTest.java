package rottsync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.Deflater;
import org.automerge.Document;
import org.junit.jupiter.api.Test;

/** Change chunks read without the engine: hashes, dependencies and heads equal to what Automerge computes. */
class ChunksTest {

    @Test
    void changesReadWithoutTheEngineHaveTheEnginesHashesAndHeads() throws Exception {
        Document doc = new Document(EngineDocs.actor(1));
        for (int i = 0; i < 5; i++) {
            EngineDocs.edit(doc, "k" + i, "v" + i);
        }
        List<Change> changes = EngineDocs.changes(doc);
        assertThat(changes).hasSize(5);
        assertThat(changes).extracting(Change::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        ChangeGraph graph = new ChangeGraph();
        assertThat(graph.add(changes, 0)).isNull();
        assertThat(graph.heads()).isEqualTo(EngineDocs.heads(doc));
        assertThat(changes.get(1).deps()).containsExactly(changes.get(0).hash());
        doc.free();
    }

    @Test
    void aCompressedChangeHasTheHashOfItsUncompressedForm() throws Exception {
        Document doc = new Document(EngineDocs.actor(2));
        EngineDocs.edit(doc, "text", "x".repeat(2000));
        byte[] plain = doc.encodeChangesSince(new org.automerge.ChangeHash[0]);
        Change change = Chunks.parse(plain, 1 << 20).changes().get(0);
        // The data after the 8-byte magic and checksum, the type byte and the length.
        ByteReader r = new ByteReader(plain, 9);
        long length = r.uleb();
        int dataStart = r.position();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(plain, dataStart, (int) length);
        deflater.finish();
        byte[] buffer = new byte[plain.length + 64];
        int deflated = deflater.deflate(buffer);
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        chunk.write(plain, 0, 8); // magic and the uncompressed form's checksum
        chunk.write(Chunks.COMPRESSED_CHANGE);
        Chunks.writeUleb(chunk, deflated);
        chunk.write(buffer, 0, deflated);
        Change compressed = Chunks.parse(chunk.toByteArray(), 1 << 20).changes().get(0);
        assertThat(compressed.hash()).isEqualTo(change.hash());
        assertThat(compressed.length()).isLessThan(change.length());
        doc.free();
    }

    @Test
    void aFlippedByteFailsTheChecksum() throws Exception {
        Document doc = new Document(EngineDocs.actor(3));
        EngineDocs.edit(doc, "a", "b");
        byte[] bytes = doc.encodeChangesSince(new org.automerge.ChangeHash[0]);
        bytes[bytes.length - 3] ^= 1;
        assertThatThrownBy(() -> Chunks.parse(bytes, 1 << 20)).isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("checksum");
        doc.free();
    }

    @Test
    void aDocumentChunkYieldsItsHeads() throws Exception {
        Document doc = new Document(EngineDocs.actor(4));
        EngineDocs.edit(doc, "a", "b");
        EngineDocs.edit(doc, "c", "d");
        Chunks.Parsed parsed = Chunks.parse(doc.save(), 1 << 20);
        assertThat(parsed.changes()).isEmpty();
        assertThat(parsed.documents()).singleElement()
                .satisfies(d -> assertThat(d.heads()).isEqualTo(EngineDocs.heads(doc)));
        doc.free();
    }

    @Test
    void cutShortOrForeignBytesAreInvalidNeverAnotherException() {
        assertThatThrownBy(() -> Chunks.parse(new byte[] {(byte) 0x85, 0x6f, 0x4a, (byte) 0x83, 1, 2}, 1 << 20))
                .isInstanceOf(InvalidDataException.class);
        assertThatThrownBy(() -> Chunks.parse(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1 << 20))
                .isInstanceOf(InvalidDataException.class);
    }
}

package rottsync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.automerge.Document;
import org.automerge.SyncState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;

/** The filter the relay builds is byte for byte the one Automerge builds over the same changes. */
class BloomFilterTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 200})
    void theFilterOverAllChangesEqualsTheEnginesFirstMessage(int changes) throws Exception {
        Document doc = new Document(EngineDocs.actor(9));
        for (int i = 0; i < changes; i++) {
            EngineDocs.edit(doc, "k" + (i % 5), "v" + i);
        }
        SyncState state = new SyncState();
        SyncMessage engineFirst = SyncMessage.decode(doc.generateSyncMessage(state).orElseThrow());
        ChangeGraph graph = new ChangeGraph();
        graph.add(EngineDocs.changes(doc), 0);
        int[] all = new int[graph.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        assertThat(engineFirst.have()).singleElement().satisfies(have -> {
            assertThat(have.lastSync()).isEmpty();
            assertThat(HexFormat.of().formatHex(BloomFilter.of(graph, all, all.length).encode()))
                    .isEqualTo(HexFormat.of().formatHex(have.bloom().encode()));
        });
        for (int i = 0; i < graph.size(); i++) {
            assertThat(engineFirst.have().get(0).bloom().contains(graph.hash(i))).isTrue();
        }
        state.free();
        doc.free();
    }

    @Test
    void aFilterWithEntriesButNoBitsIsRefused() {
        // hostile-input finding D1a: Automerge divides by zero on it
        assertThatThrownBy(() -> BloomFilter.decode(new byte[] {1, 0, 1})).isInstanceOf(InvalidDataException.class);
    }

    @Test
    void aFilterWithMillionsOfProbesIsRefused() {
        // hostile-input finding D5: 2^26 probes, 10 s of CPU in Automerge
        byte[] bloom = HexFormat.of().parseHex("010880808020ff");
        assertThatThrownBy(() -> BloomFilter.decode(bloom)).isInstanceOf(InvalidDataException.class);
    }

    @Test
    void anEmptyFilterIsEmptyBytes() throws Exception {
        assertThat(BloomFilter.decode(new byte[0]).encode()).isEmpty();
        assertThat(BloomFilter.decode(new byte[0]).contains(ChangeHash.of(new byte[32]))).isFalse();
    }
}

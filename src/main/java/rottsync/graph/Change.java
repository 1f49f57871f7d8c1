package rottsync.graph;

import java.util.List;

/**
 * One Automerge change as a relay needs it: its hash, dependencies, author and sequence number, and where its
 * chunk bytes are ({@code length} bytes of {@code source} from {@code offset}, as stored or received: an
 * uncompressed or a compressed change chunk, both of which every Automerge loader reads).
 */
public record Change(ChangeHash hash, List<ChangeHash> deps, byte[] actor, long seq, long startOp,
        byte[] source, int offset, int length) {

    /** The ops this change may carry, for memory estimates: none are decoded, so the chunk length bounds them. */
    long estimatedOps() {
        return Math.max(1, length);
    }
}

package rottsync.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileChunkStoreContractTest extends ChunkStoreContractTest {
    @TempDir
    Path root;

    @Override
    ChunkStore newStore() throws Exception {
        return new FileChunkStore(root);
    }
}

package rottsync.storage;

class InMemoryChunkStoreContractTest extends ChunkStoreContractTest {
    @Override
    ChunkStore newStore() {
        return new InMemoryChunkStore();
    }
}

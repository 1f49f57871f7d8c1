import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.SyncState;
import org.automerge.Transaction;

/**
 * What automerge-java itself needs for one document, with no server around it: the floor for the
 * large-document workload. Run by bench/run.mjs as a single-file program on the automerge jar:
 *
 * <pre>java -cp org.automerge.automerge-0.0.7.jar bench/AutomergeFloor.java DIR [--load]</pre>
 *
 * DIR holds what {@code bench/workload.mjs record-big} wrote: the sync messages a real 2.5.6 client sends
 * to a server that lacks the document (client-0.bin, client-1.bin, …), a fresh reader's first request
 * (reader-0.bin) and the document itself (doc.bin). One run replays, on a fresh document:
 *
 * <ol>
 *   <li>upload: receive every client message and generate the server's reply after each;</li>
 *   <li>save: one full save, the least a durable server must write for a new document;</li>
 *   <li>serve: a fresh reader's request received and the reply (the whole document) generated.</li>
 * </ol>
 *
 * floor = upload + save + serve, in CPU seconds of the calling thread (the engine is single-threaded).
 * One replay per process: a server meets a large document once, in memory the allocator must first get
 * from the kernel, and so does the first replay in a process; a second replay in the same process reuses
 * the memory the first one freed and takes 15–35 % less CPU, which would put the floor below anything a
 * server can reach. bench/run.mjs runs several processes and takes the median. Also reported, not part
 * of the floor: encodeChangesSince(no heads) (the bytes of an incremental chunk holding everything) and,
 * with --load, a load of the saved bytes (a restart or reload). Prints one JSON line.
 */
public final class AutomergeFloor {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean measureLoad = Arrays.asList(args).contains("--load");
        List<byte[]> upload = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve("client-" + i + ".bin")); i++) {
            upload.add(Files.readAllBytes(dir.resolve("client-" + i + ".bin")));
        }
        byte[] request = Files.readAllBytes(dir.resolve("reader-0.bin"));
        if (upload.isEmpty()) {
            throw new IllegalArgumentException("no client-<i>.bin in " + dir);
        }
        warmUp();

        Document server = new Document();
        SyncState state = new SyncState();
        double up = cpu(() -> {
            for (byte[] message : upload) {
                server.receiveSyncMessage(state, message);
                server.generateSyncMessage(state);
            }
            return null;
        });
        if (server.getHeads().length == 0) {
            throw new IllegalStateException("the upload left the document empty");
        }
        byte[][] saved = new byte[1][];
        double save = cpu(() -> saved[0] = server.save());
        double changes = cpu(() -> server.encodeChangesSince(new ChangeHash[0]));
        SyncState reader = new SyncState();
        double serve = cpu(() -> {
            server.receiveSyncMessage(reader, request);
            return server.generateSyncMessage(reader).orElseThrow(() ->
                    new IllegalStateException("no reply for a fresh reader"));
        });
        double load = measureLoad ? cpu(() -> {
            Document.load(saved[0]).free();
            return null;
        }) : -1;
        System.out.println(String.format(Locale.ROOT,
                "{\"uploadMessages\":%d,\"uploadBytes\":%d,\"savedBytes\":%d,"
                        + "\"uploadS\":%.3f,\"saveS\":%.3f,\"serveS\":%.3f,\"floorS\":%.3f,"
                        + "\"encodeChangesS\":%.3f%s}",
                upload.size(), upload.stream().mapToInt(b -> b.length).sum(), saved[0].length,
                up, save, serve, up + save + serve, changes,
                measureLoad ? String.format(Locale.ROOT, ",\"loadS\":%.3f", load) : ""));
        reader.free();
        state.free();
        server.free();
    }

    /** Loads the native library and warms the JNI wrappers on a tiny document. */
    private static void warmUp() {
        for (int i = 0; i < 20; i++) {
            Document a = new Document();
            try (Transaction tx = a.startTransaction()) {
                tx.set(ObjectId.ROOT, "k", "v" + i);
                tx.commit();
            }
            Document b = new Document();
            SyncState sa = new SyncState(), sb = new SyncState();
            for (int round = 0; round < 4; round++) {
                a.generateSyncMessage(sa).ifPresent(m -> b.receiveSyncMessage(sb, m));
                b.generateSyncMessage(sb).ifPresent(m -> a.receiveSyncMessage(sa, m));
            }
            Document.load(b.save()).free();
            sa.free();
            sb.free();
            a.free();
            b.free();
        }
    }

    private static double cpu(Supplier<Object> work) {
        long started = THREADS.getCurrentThreadCpuTime();
        work.get();
        return (THREADS.getCurrentThreadCpuTime() - started) / 1e9;
    }
}

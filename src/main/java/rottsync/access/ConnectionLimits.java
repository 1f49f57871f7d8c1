package rottsync.access;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Caps open connections overall and per client address, so one device cannot take every slot. */
public final class ConnectionLimits {
    private final int maxTotal;
    private final int maxPerAddress;
    private final Map<String, Integer> perAddress = new HashMap<>();
    private int total;

    public ConnectionLimits(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes a slot for {@code address}, or says which limit is full. */
    public synchronized Optional<String> tryOpen(String address) {
        if (total >= maxTotal) {
            return Optional.of("too many connections (MAX_CONNECTIONS=" + maxTotal + ")");
        }
        int mine = perAddress.getOrDefault(address, 0);
        if (mine >= maxPerAddress) {
            return Optional.of("too many connections from this address (MAX_CONNECTIONS_PER_ADDRESS="
                    + maxPerAddress + ")");
        }
        perAddress.put(address, mine + 1);
        total++;
        return Optional.empty();
    }

    public synchronized void closed(String address) {
        Integer mine = perAddress.get(address);
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            perAddress.remove(address);
        } else {
            perAddress.put(address, mine - 1);
        }
        total--;
    }

    public synchronized int open() {
        return total;
    }
}

package rottsync.sync;

/** One WebSocket connection. Ids only grow, so a later connection of the same peer has a larger id. */
public record ConnectionId(long value) {
    @Override
    public String toString() {
        return "#" + value;
    }
}

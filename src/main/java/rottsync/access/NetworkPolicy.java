package rottsync.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which client addresses may use the server. By default: this machine, private LANs and Tailscale, so
 * an accidental port-forward to the internet still refuses strangers. {@code ALLOWED_NETWORKS} overrides.
 */
public final class NetworkPolicy {
    public static final List<String> DEFAULT_NETWORKS = List.of(
            "127.0.0.0/8", "::1/128",                         // loopback
            "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  // RFC 1918
            "169.254.0.0/16", "fe80::/10",                    // link-local
            "fc00::/7",                                       // IPv6 unique local (ULA)
            "100.64.0.0/10", "fd7a:115c:a1e0::/48");          // Tailscale

    private final List<Cidr> allowed;
    private final boolean allowAll;
    private final List<Cidr> trustedProxies;

    private NetworkPolicy(List<Cidr> allowed, boolean allowAll, List<Cidr> trustedProxies) {
        this.allowed = allowed;
        this.allowAll = allowAll;
        this.trustedProxies = trustedProxies;
    }

    /**
     * @param allowedNetworks comma-separated CIDRs or "any"; null or blank means the defaults
     * @param trustedProxies comma-separated CIDRs whose X-Forwarded-For is believed; null or blank means none
     */
    public static NetworkPolicy of(String allowedNetworks, String trustedProxies) {
        List<Cidr> proxies = parseList(trustedProxies, List.of());
        if (allowedNetworks != null && allowedNetworks.trim().equalsIgnoreCase("any")) {
            return new NetworkPolicy(List.of(), true, proxies);
        }
        return new NetworkPolicy(parseList(allowedNetworks, DEFAULT_NETWORKS), false, proxies);
    }

    private static List<Cidr> parseList(String text, List<String> defaults) {
        List<String> items = new ArrayList<>();
        if (text == null || text.isBlank()) {
            items.addAll(defaults);
        } else {
            for (String item : text.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items.stream().map(Cidr::parse).toList();
    }

    /** The address a request really comes from: the peer, or the client a trusted proxy names. */
    public String clientAddress(String peerAddress, String forwardedFor) {
        if (forwardedFor == null || forwardedFor.isBlank() || !isTrustedProxy(peerAddress)) {
            return peerAddress;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!isTrustedProxy(hop)) {
                return hop;
            }
        }
        return hops[0].trim();
    }

    private boolean isTrustedProxy(String address) {
        return matches(trustedProxies, address);
    }

    public boolean allows(String address) {
        return allowAll || matches(allowed, address);
    }

    private static boolean matches(List<Cidr> networks, String address) {
        byte[] bytes;
        try {
            bytes = Cidr.literal(address);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (Cidr cidr : networks) {
            if (cidr.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** For the start-up line and the status page. */
    public String describe() {
        return allowAll ? "any" : String.join(", ", allowed.stream().map(Cidr::toString).toList());
    }

    public Optional<String> describeProxies() {
        return trustedProxies.isEmpty() ? Optional.empty()
                : Optional.of(String.join(", ", trustedProxies.stream().map(Cidr::toString).toList()));
    }
}

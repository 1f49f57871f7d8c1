package rottsync.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetworkPolicyTest {
    final NetworkPolicy defaults = NetworkPolicy.of(null, null);

    @Test
    void defaultsAllowLoopbackLanLinkLocalAndTailnet() {
        assertThat(defaults.allows("127.0.0.1")).isTrue();
        assertThat(defaults.allows("::1")).isTrue();
        assertThat(defaults.allows("10.1.2.3")).isTrue();
        assertThat(defaults.allows("172.31.255.1")).isTrue();
        assertThat(defaults.allows("192.168.178.20")).isTrue();
        assertThat(defaults.allows("169.254.10.10")).isTrue();
        assertThat(defaults.allows("fe80::1")).isTrue();
        assertThat(defaults.allows("fd12:3456::1")).isTrue();
        assertThat(defaults.allows("100.101.102.103")).isTrue();
        assertThat(defaults.allows("fd7a:115c:a1e0::1234")).isTrue();
    }

    @Test
    void defaultsRefuseThePublicInternet() {
        assertThat(defaults.allows("8.8.8.8")).isFalse();
        assertThat(defaults.allows("172.32.0.1")).isFalse();
        assertThat(defaults.allows("100.128.0.1")).isFalse();
        assertThat(defaults.allows("2001:db8::1")).isFalse();
        assertThat(defaults.allows("not an address")).isFalse();
    }

    @Test
    void ipv4MappedIpv6AddressesAreJudgedAsIpv4() {
        assertThat(defaults.allows("::ffff:192.168.1.5")).isTrue();
        assertThat(defaults.allows("::ffff:8.8.8.8")).isFalse();
        assertThat(NetworkPolicy.of("8.8.8.0/24", null).allows("::ffff:8.8.8.8")).isTrue();
    }

    @Test
    void anOverrideReplacesTheDefaultsAndAnyAllowsEverything() {
        NetworkPolicy lanOnly = NetworkPolicy.of("192.168.1.0/24", null);
        assertThat(lanOnly.allows("192.168.1.77")).isTrue();
        assertThat(lanOnly.allows("127.0.0.1")).isFalse();
        assertThat(NetworkPolicy.of("any", null).allows("8.8.8.8")).isTrue();
        assertThat(NetworkPolicy.of(" ", null).allows("10.0.0.1")).isTrue();
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() {
        NetworkPolicy behindProxy = NetworkPolicy.of(null, "172.17.0.1/32");
        assertThat(behindProxy.clientAddress("172.17.0.1", "8.8.8.8")).isEqualTo("8.8.8.8");
        assertThat(behindProxy.clientAddress("172.17.0.1", "1.1.1.1, 8.8.8.8, 172.17.0.1")).isEqualTo("8.8.8.8");
        assertThat(behindProxy.clientAddress("192.168.1.9", "10.0.0.1")).isEqualTo("192.168.1.9");
        assertThat(defaults.clientAddress("192.168.1.9", "10.0.0.1")).isEqualTo("192.168.1.9");
    }

    @Test
    void badNetworksAreRejected() {
        assertThatThrownBy(() -> NetworkPolicy.of("10.0.0.0/33", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkPolicy.of("example.com/8", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTokenIsComparedAsAWholeAndAcceptedFromQueryOrBearerHeader() {
        TokenCheck token = TokenCheck.requiring("correct horse");
        assertThat(token.accepts(Optional.of("correct horse"), Optional.empty())).isTrue();
        assertThat(token.accepts(Optional.empty(), Optional.of("Bearer correct horse"))).isTrue();
        assertThat(token.accepts(Optional.empty(), Optional.of("bearer correct horse"))).isTrue();
        assertThat(token.accepts(Optional.of("correct"), Optional.empty())).isFalse();
        assertThat(token.accepts(Optional.empty(), Optional.of("Basic correct horse"))).isFalse();
        assertThat(token.accepts(Optional.empty(), Optional.empty())).isFalse();
        assertThat(TokenCheck.disabled().accepts(Optional.empty(), Optional.empty())).isTrue();
    }

    @Test
    void limitsCountPerAddressAndOverall() {
        ConnectionLimits limits = new ConnectionLimits(3, 2);
        assertThat(limits.tryOpen("10.0.0.1")).isEmpty();
        assertThat(limits.tryOpen("10.0.0.1")).isEmpty();
        assertThat(limits.tryOpen("10.0.0.1")).get().asString().contains("MAX_CONNECTIONS_PER_ADDRESS");
        assertThat(limits.tryOpen("10.0.0.2")).isEmpty();
        assertThat(limits.tryOpen("10.0.0.3")).get().asString().contains("MAX_CONNECTIONS=3");
        limits.closed("10.0.0.1");
        assertThat(limits.tryOpen("10.0.0.3")).isEmpty();
    }

    @Test
    void theRateBudgetAllowsABurstThenTheSustainedRate() {
        RateBudget budget = new RateBudget(10, 5, 0);
        for (int i = 0; i < 5; i++) {
            assertThat(budget.tryTake(0)).isTrue();
        }
        assertThat(budget.tryTake(0)).isFalse();
        assertThat(budget.tryTake(100)).isTrue();
        assertThat(budget.tryTake(100)).isFalse();
    }
}

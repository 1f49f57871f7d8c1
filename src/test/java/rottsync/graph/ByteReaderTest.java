package rottsync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bytes from peers and from disk: every overrun is a failed read, never an exception or a wrap-around. */
class ByteReaderTest {

    @Test
    void readsLeb128NumbersAndFixedFields() {
        ByteReader reader = new ByteReader(new byte[] {(byte) 0xe5, (byte) 0x8e, 0x26, 7, 8, 9}, 0);
        assertThat(reader.uleb()).isEqualTo(624_485);
        assertThat(reader.bytes(2)).containsExactly(7, 8);
        assertThat(reader.u8()).isEqualTo(9);
        assertThat(reader.remaining()).isZero();
        assertThat(reader.failed).isFalse();
    }

    @Test
    void anUnfinishedNumberFailsAndSoDoesEveryLaterRead() {
        ByteReader reader = new ByteReader(new byte[] {(byte) 0x80, (byte) 0x80}, 0);
        assertThat(reader.uleb()).isEqualTo(-1);
        assertThat(reader.failed).isTrue();
        assertThat(reader.bytes(0)).isNull();
        assertThat(reader.u8()).isEqualTo(-1);
    }

    @Test
    void aNumberLongerThan64BitsFails() {
        byte[] tooLong = new byte[11];
        java.util.Arrays.fill(tooLong, (byte) 0xff);
        ByteReader reader = new ByteReader(tooLong, 0);
        assertThat(reader.uleb()).isEqualTo(-1);
        assertThat(reader.failed).isTrue();
    }

    @Test
    void aHashCountThatWouldWrapAroundFails() {
        // 2^59 hashes of 32 bytes is 2^64 bytes: multiplied out in a long it would be 0 and "fit".
        ByteReader reader = new ByteReader(new byte[] {1, 2, 3}, 0);
        reader.skipHashes(1L << 59);
        assertThat(reader.failed).isTrue();
    }

    @Test
    void aHashCountPastTwoToThe63IsNoListRatherThanAnException() {
        // Ten LEB128 bytes whose 64th bit is set: read as a long, the count is negative.
        byte[] hugeCount = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        ByteReader reader = new ByteReader(hugeCount, 0);
        assertThat(reader.hashes()).isNull();
        assertThat(reader.failed).isTrue();
    }

    @Test
    void moreHashesThanBytesIsNoList() {
        byte[] oneHashClaimingTwo = new byte[1 + ByteReader.HASH_BYTES];
        oneHashClaimingTwo[0] = 2;
        ByteReader reader = new ByteReader(oneHashClaimingTwo, 0);
        assertThat(reader.hashes()).isNull();
        assertThat(reader.failed).isTrue();

        oneHashClaimingTwo[0] = 1;
        assertThat(new ByteReader(oneHashClaimingTwo, 0).hashes()).singleElement()
                .satisfies(hash -> assertThat(hash.bytes()).hasSize(ByteReader.HASH_BYTES));
    }

    @Test
    void skippingPastTheEndFails() {
        ByteReader reader = new ByteReader(new byte[4], 1);
        reader.skip(3);
        assertThat(reader.failed).isFalse();
        reader.skip(1);
        assertThat(reader.failed).isTrue();
    }

    @Test
    void anOverlongNumberFailsAsAutomergeRefusesIt() {
        ByteReader reader = new ByteReader(new byte[] {(byte) 0x81, 0x00}, 0);
        assertThat(reader.uleb()).isEqualTo(-1);
        assertThat(reader.failed).isTrue();
        assertThat(new ByteReader(new byte[] {0x00}, 0).uleb()).isZero();
    }

    @Test
    void signedNumbersReadBothSigns() {
        assertThat(new ByteReader(new byte[] {0x7f}, 0).sleb()).isEqualTo(-1);
        assertThat(new ByteReader(new byte[] {(byte) 0xc0, 0x00}, 0).sleb()).isEqualTo(64);
    }
}

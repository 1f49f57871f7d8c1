package rottsync.protocol;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** Bitcoin-style base58 with a 4-byte double-SHA-256 checksum, as automerge-repo uses for ids and heads. */
public final class Base58Check {
    private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final BigInteger BASE = BigInteger.valueOf(58);
    private static final int[] DIGITS = new int[128];

    static {
        Arrays.fill(DIGITS, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            DIGITS[ALPHABET.charAt(i)] = i;
        }
    }

    private Base58Check() {}

    public static String encode(byte[] payload) {
        byte[] checksum = checksum(payload);
        byte[] data = Arrays.copyOf(payload, payload.length + 4);
        System.arraycopy(checksum, 0, data, payload.length, 4);
        int leadingZeros = 0;
        while (leadingZeros < data.length && data[leadingZeros] == 0) {
            leadingZeros++;
        }
        StringBuilder out = new StringBuilder();
        BigInteger value = new BigInteger(1, data);
        while (value.signum() > 0) {
            BigInteger[] qr = value.divideAndRemainder(BASE);
            out.append(ALPHABET.charAt(qr[1].intValue()));
            value = qr[0];
        }
        out.append("1".repeat(leadingZeros));
        return out.reverse().toString();
    }

    /** Returns the payload, or throws if the text is not base58 or the checksum does not match. */
    public static byte[] decode(String text) throws MalformedMessageException {
        if (text.isEmpty()) {
            throw new MalformedMessageException("empty base58 string");
        }
        BigInteger value = BigInteger.ZERO;
        int leadingZeros = 0;
        boolean leading = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int digit = c < 128 ? DIGITS[c] : -1;
            if (digit < 0) {
                throw new MalformedMessageException("not a base58 character: '" + c + "'");
            }
            if (leading && digit == 0) {
                leadingZeros++;
            } else {
                leading = false;
            }
            value = value.multiply(BASE).add(BigInteger.valueOf(digit));
        }
        byte[] magnitude = value.signum() == 0 ? new byte[0] : value.toByteArray();
        int signByte = magnitude.length > 0 && magnitude[0] == 0 ? 1 : 0;
        byte[] data = new byte[leadingZeros + magnitude.length - signByte];
        System.arraycopy(magnitude, signByte, data, leadingZeros, magnitude.length - signByte);
        if (data.length < 4) {
            throw new MalformedMessageException("base58check string too short");
        }
        byte[] payload = Arrays.copyOf(data, data.length - 4);
        byte[] expected = checksum(payload);
        for (int i = 0; i < 4; i++) {
            if (expected[i] != data[payload.length + i]) {
                throw new MalformedMessageException("base58check checksum mismatch");
            }
        }
        return payload;
    }

    private static byte[] checksum(byte[] payload) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return sha.digest(sha.digest(payload));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}

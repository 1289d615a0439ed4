package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.net.message.WelcomeFlyweight;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes and checks the handshake proofs: each side shows it knows the shared {@link Secret} without sending it.
 * <pre>
 *   hello proof   = HMAC-SHA256(secret, "ferry-hello-v2"   | idLength u8 | replicaId | historyIdHi u64 |
 *                                       historyIdLo u64 | epoch u64 | nextOffset u64 | lastEntry u64 | nonce[16])
 *   welcome proof = HMAC-SHA256(secret, "ferry-welcome-v1" | helloNonce[16] | startOffset u64 | epoch u64 |
 *                                       historyIdHi u64 | historyIdLo u64)
 * </pre>
 * Labels are ASCII without a terminator, integers little-endian, the replica id its ASCII bytes after its length. The
 * replica picks a fresh random nonce per connection ({@link #nextNonce(byte[])}); the primary's proof covers that
 * nonce, so a recorded {@code WELCOME} cannot be replayed to a replica. The primary has no challenge of its own, so a
 * recorded {@code HELLO} can be replayed to it: see {@code net/PROTOCOL.md} for what that allows and why a tunnel is
 * still needed.
 * <p>
 * With {@link Secret#NONE} proofs are all zero and every proof is accepted. With a secret, a proof must match, compared
 * in constant time ({@link MessageDigest#isEqual(byte[], byte[])}); an all-zero proof means the peer has no secret and
 * is refused too. Every refusal is a {@link FerryException} with {@link ErrorCode#AUTHENTICATION}.
 * <p>
 * One per connection-handling thread: not thread-safe. The handshake is not a hot path; the value methods allocate
 * nothing, the flyweight methods only the replica id string.
 */
public final class HandshakeAuth
{
    /** Length of a proof: an HMAC-SHA256. */
    public static final int PROOF_LENGTH = HelloFlyweight.PROOF_LENGTH;
    /** Length of a nonce. */
    public static final int NONCE_LENGTH = HelloFlyweight.NONCE_LENGTH;
    /** The HMAC algorithm, as named by the JCA. */
    public static final String ALGORITHM = "HmacSHA256";

    private static final byte[] HELLO_LABEL = "ferry-hello-v2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WELCOME_LABEL = "ferry-welcome-v1".getBytes(StandardCharsets.US_ASCII);

    private final Secret secret;
    private final Mac mac;
    private final SecureRandom random = new SecureRandom();
    private final ByteBuffer scratch =
        ByteBuffer.allocate(1 + HelloFlyweight.MAX_REPLICA_ID_LENGTH + 5 * Long.BYTES + NONCE_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] expectedProof = new byte[PROOF_LENGTH];
    private final byte[] receivedProof = new byte[PROOF_LENGTH];
    private final byte[] peerProof = new byte[PROOF_LENGTH];
    private final byte[] nonce = new byte[NONCE_LENGTH];

    /**
     * @param secret the shared secret, or {@link Secret#NONE}.
     * @throws FerryException with {@link ErrorCode#INTERNAL} if the JDK has no HmacSHA256 (it always should).
     */
    public HandshakeAuth(final Secret secret)
    {
        this.secret = secret;
        if (secret.isNone())
        {
            mac = null;
        }
        else
        {
            try
            {
                mac = Mac.getInstance(ALGORITHM);
                mac.init(new SecretKeySpec(secret.key(), ALGORITHM));
            }
            catch (final GeneralSecurityException ex)
            {
                throw new FerryException(ErrorCode.INTERNAL, "cannot set up " + ALGORITHM + ": " + ex, ex);
            }
        }
    }

    /**
     * @return the secret (its {@code toString()} never shows the bytes).
     */
    public Secret secret()
    {
        return secret;
    }

    /**
     * @return whether proofs are computed and required ({@code false} for {@link Secret#NONE}).
     */
    public boolean hasSecret()
    {
        return null != mac;
    }

    /**
     * Fills {@code dst} with a fresh random nonce from a {@link SecureRandom}.
     *
     * @param dst exactly {@value #NONCE_LENGTH} bytes.
     * @return {@code dst}.
     */
    public byte[] nextNonce(final byte[] dst)
    {
        checkLength(dst, NONCE_LENGTH, "nonce");
        random.nextBytes(dst);
        return dst;
    }

    /**
     * Computes a replica's {@code HELLO} proof; all zero without a secret.
     *
     * @param replicaId   the replica id, 1 to 64 of {@code [A-Za-z0-9._-]}.
     * @param historyIdHi the high 64 bits of the replica's history id.
     * @param historyIdLo the low 64 bits of the replica's history id.
     * @param epoch       the replica's epoch.
     * @param nextOffset  the replica's next offset to write.
     * @param lastEntry   the fingerprint of the replica's last entry ({@code HelloFlyweight#lastEntry()}).
     * @param nonce       the replica's {@value #NONCE_LENGTH}-byte nonce.
     * @param proof       {@value #PROOF_LENGTH} bytes to write the proof into.
     * @return {@code proof}.
     * @throws FerryException with {@code CONFIGURATION} for an invalid replica id.
     */
    public byte[] helloProof(
        final CharSequence replicaId,
        final long historyIdHi,
        final long historyIdLo,
        final long epoch,
        final long nextOffset,
        final long lastEntry,
        final byte[] nonce,
        final byte[] proof)
    {
        HelloFlyweight.checkReplicaId(replicaId);
        checkLength(nonce, NONCE_LENGTH, "nonce");
        checkLength(proof, PROOF_LENGTH, "proof");
        if (null == mac)
        {
            Arrays.fill(proof, (byte)0);
            return proof;
        }

        final ByteBuffer scratch = this.scratch.clear();
        scratch.put((byte)replicaId.length());
        for (int i = 0; i < replicaId.length(); i++)
        {
            scratch.put((byte)replicaId.charAt(i));
        }
        scratch.putLong(historyIdHi).putLong(historyIdLo).putLong(epoch).putLong(nextOffset).putLong(lastEntry).put(nonce)
            .flip();

        mac.update(HELLO_LABEL);
        mac.update(scratch);
        return finish(proof);
    }

    /**
     * Computes a primary's {@code WELCOME} proof; all zero without a secret.
     *
     * @param helloNonce  the nonce from the replica's {@code HELLO}.
     * @param startOffset the first offset the primary will send.
     * @param epoch       the primary's epoch.
     * @param historyIdHi the high 64 bits of the primary's history id.
     * @param historyIdLo the low 64 bits of the primary's history id.
     * @param proof       {@value #PROOF_LENGTH} bytes to write the proof into.
     * @return {@code proof}.
     */
    public byte[] welcomeProof(
        final byte[] helloNonce,
        final long startOffset,
        final long epoch,
        final long historyIdHi,
        final long historyIdLo,
        final byte[] proof)
    {
        checkLength(helloNonce, NONCE_LENGTH, "nonce");
        checkLength(proof, PROOF_LENGTH, "proof");
        if (null == mac)
        {
            Arrays.fill(proof, (byte)0);
            return proof;
        }

        final ByteBuffer scratch = this.scratch.clear();
        scratch.put(helloNonce).putLong(startOffset).putLong(epoch).putLong(historyIdHi).putLong(historyIdLo).flip();

        mac.update(WELCOME_LABEL);
        mac.update(scratch);
        return finish(proof);
    }

    /**
     * Checks a replica's {@code HELLO} proof (on the primary).
     *
     * @param replicaId   the replica id from the {@code HELLO}.
     * @param historyIdHi the high 64 bits of the history id from the {@code HELLO}.
     * @param historyIdLo the low 64 bits of the history id from the {@code HELLO}.
     * @param epoch       the epoch from the {@code HELLO}.
     * @param nextOffset  the next offset from the {@code HELLO}.
     * @param lastEntry   the last-entry fingerprint from the {@code HELLO}.
     * @param nonce       the nonce from the {@code HELLO}.
     * @param proof       the proof from the {@code HELLO}.
     * @throws FerryException with {@link ErrorCode#AUTHENTICATION} if this side has a secret and the proof is zero or
     *                        does not match.
     */
    public void verifyHelloProof(
        final CharSequence replicaId,
        final long historyIdHi,
        final long historyIdLo,
        final long epoch,
        final long nextOffset,
        final long lastEntry,
        final byte[] nonce,
        final byte[] proof)
    {
        if (null == mac)
        {
            return;
        }
        helloProof(replicaId, historyIdHi, historyIdLo, epoch, nextOffset, lastEntry, nonce, expectedProof);
        check(proof, "HELLO from replica '" + replicaId + "'");
    }

    /**
     * Checks a primary's {@code WELCOME} proof (on the replica).
     *
     * @param helloNonce  the nonce this replica sent in its {@code HELLO}.
     * @param startOffset the start offset from the {@code WELCOME}.
     * @param epoch       the epoch from the {@code WELCOME}.
     * @param historyIdHi the high 64 bits of the history id from the {@code WELCOME}.
     * @param historyIdLo the low 64 bits of the history id from the {@code WELCOME}.
     * @param proof       the proof from the {@code WELCOME}.
     * @throws FerryException with {@link ErrorCode#AUTHENTICATION} if this side has a secret and the proof is zero or
     *                        does not match.
     */
    public void verifyWelcomeProof(
        final byte[] helloNonce,
        final long startOffset,
        final long epoch,
        final long historyIdHi,
        final long historyIdLo,
        final byte[] proof)
    {
        if (null == mac)
        {
            return;
        }
        welcomeProof(helloNonce, startOffset, epoch, historyIdHi, historyIdLo, expectedProof);
        check(proof, "WELCOME from the primary");
    }

    /**
     * Writes the proof into a {@code HELLO} whose other fields are set; call {@link HelloFlyweight#seal()} after.
     *
     * @param hello the wrapped {@code HELLO}.
     * @return {@code hello}.
     */
    public HelloFlyweight signHello(final HelloFlyweight hello)
    {
        helloProof(
            hello.replicaId(),
            hello.historyIdHi(),
            hello.historyIdLo(),
            hello.epoch(),
            hello.nextOffset(),
            hello.lastEntry(),
            hello.copyNonceTo(nonce),
            expectedProof);
        return hello.proof(expectedProof);
    }

    /**
     * Checks the proof of a decoded {@code HELLO} (on the primary).
     *
     * @param hello the decoded {@code HELLO}.
     * @throws FerryException with {@link ErrorCode#AUTHENTICATION} if the proof is refused.
     */
    public void verifyHello(final HelloFlyweight hello)
    {
        if (null == mac)
        {
            return;
        }
        final byte[] proof = hello.copyProofTo(peerProof);
        verifyHelloProof(
            hello.replicaId(),
            hello.historyIdHi(),
            hello.historyIdLo(),
            hello.epoch(),
            hello.nextOffset(),
            hello.lastEntry(),
            hello.copyNonceTo(nonce),
            proof);
    }

    /**
     * Writes the proof into a {@code WELCOME} whose other fields are set; call {@link WelcomeFlyweight#seal()} after.
     *
     * @param welcome    the wrapped {@code WELCOME}.
     * @param helloNonce the nonce from the replica's {@code HELLO}.
     * @return {@code welcome}.
     */
    public WelcomeFlyweight signWelcome(final WelcomeFlyweight welcome, final byte[] helloNonce)
    {
        welcomeProof(
            helloNonce,
            welcome.startOffset(),
            welcome.epoch(),
            welcome.historyIdHi(),
            welcome.historyIdLo(),
            expectedProof);
        return welcome.proof(expectedProof);
    }

    /**
     * Checks the proof of a decoded {@code WELCOME} (on the replica).
     *
     * @param welcome    the decoded {@code WELCOME}.
     * @param helloNonce the nonce this replica sent in its {@code HELLO}.
     * @throws FerryException with {@link ErrorCode#AUTHENTICATION} if the proof is refused.
     */
    public void verifyWelcome(final WelcomeFlyweight welcome, final byte[] helloNonce)
    {
        if (null == mac)
        {
            return;
        }
        final byte[] proof = welcome.copyProofTo(peerProof);
        verifyWelcomeProof(
            helloNonce, welcome.startOffset(), welcome.epoch(), welcome.historyIdHi(), welcome.historyIdLo(), proof);
    }

    @Override
    public String toString()
    {
        return "HandshakeAuth[" + secret + "]";
    }

    private byte[] finish(final byte[] proof)
    {
        try
        {
            mac.doFinal(proof, 0);
        }
        catch (final ShortBufferException ex)
        {
            throw new FerryException(ErrorCode.INTERNAL, "proof buffer too short: " + ex.getMessage(), ex);
        }
        return proof;
    }

    private void check(final byte[] proof, final String what)
    {
        checkLength(proof, PROOF_LENGTH, "proof");
        System.arraycopy(proof, 0, receivedProof, 0, PROOF_LENGTH);
        int bits = 0;
        for (final byte b : receivedProof)
        {
            bits |= b;
        }
        if (0 == bits)
        {
            throw new FerryException(
                ErrorCode.AUTHENTICATION,
                what + " carries no proof: the peer has no secret configured but this side requires one");
        }
        if (!MessageDigest.isEqual(expectedProof, receivedProof))
        {
            throw new FerryException(
                ErrorCode.AUTHENTICATION, what + " has a wrong proof: the peer uses a different secret");
        }
    }

    private static void checkLength(final byte[] bytes, final int length, final String name)
    {
        if (bytes.length != length)
        {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, got " + bytes.length);
        }
    }
}

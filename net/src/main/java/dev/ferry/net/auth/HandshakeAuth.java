package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.message.HelloFlyweight;
import dev.ferry.wal.frame.FrameHeader;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The challenge-response that lets each side of a connection prove it knows the shared {@link Secret} without sending
 * it, with a fresh nonce from each side so that nothing recorded can be replayed:
 * <pre>
 *   client -> primary   HELLO or STATUS_REQUEST          (carries the client's nonce nC)
 *   primary -> client   CHALLENGE                        (carries the primary's nonce nS)
 *   client -> primary   AUTH   proof = HMAC-SHA256(secret, "ferry-auth-v3" | nS | type u8 | first frame's body)
 *   primary -> client   WELCOME, STATUS_RESPONSE or ERROR, each ending with
 *                              proof = HMAC-SHA256(secret, "ferry-frame-v3" | nC | nS | type u8 | body before the proof)
 * </pre>
 * The first frame's body is its bytes after the 12-byte header, exactly as sent (so the proof covers the replica id,
 * history, epoch, offsets, flags and nC); "body before the proof" is the signed frame's bytes from offset 12 up to its
 * last 32 bytes, where the proof goes. The labels differ, so a client's proof can never stand for a primary's. The
 * primary verifies {@code AUTH} before anything it decides for the client (no slot, no displaced session, no entry,
 * no status); the client verifies the primary's proof before it believes a {@code WELCOME}, a status or a refusal.
 * <p>
 * With {@link Secret#NONE} proofs are all zero and every proof is accepted (the deliberate, insecure choice). With a
 * secret, a proof must match, compared in constant time ({@link MessageDigest#isEqual(byte[], byte[])}); an all-zero
 * proof means the peer has no secret and is refused too. Every refusal is a {@link FerryException} with
 * {@link ErrorCode#AUTHENTICATION}.
 * <p>
 * One per connection-handling thread: not thread-safe. The handshake is not a hot path.
 */
public final class HandshakeAuth
{
    /** Length of a proof: an HMAC-SHA256. */
    public static final int PROOF_LENGTH = HelloFlyweight.PROOF_LENGTH;
    /** Length of a nonce. */
    public static final int NONCE_LENGTH = HelloFlyweight.NONCE_LENGTH;
    /** The HMAC algorithm, as named by the JCA. */
    public static final String ALGORITHM = "HmacSHA256";

    private static final byte[] AUTH_LABEL = "ferry-auth-v3".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FRAME_LABEL = "ferry-frame-v3".getBytes(StandardCharsets.US_ASCII);

    private final Secret secret;
    private final Mac mac;
    private final SecureRandom random = new SecureRandom();
    private final byte[] expectedProof = new byte[PROOF_LENGTH];
    private final byte[] receivedProof = new byte[PROOF_LENGTH];

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
     * The client's {@code AUTH} proof; all zero without a secret.
     *
     * @param type        the type of the client's first frame ({@code HELLO} or {@code STATUS_REQUEST}).
     * @param frame       the memory holding that frame, as sent.
     * @param frameOffset the offset of its first byte.
     * @param frameLength its length.
     * @param serverNonce the nonce of the primary's {@code CHALLENGE}.
     * @param proof       {@value #PROOF_LENGTH} bytes to write the proof into.
     * @return {@code proof}.
     */
    public byte[] clientProof(
        final MessageType type,
        final MemorySegment frame,
        final long frameOffset,
        final int frameLength,
        final byte[] serverNonce,
        final byte[] proof)
    {
        checkLength(serverNonce, NONCE_LENGTH, "nonce");
        checkLength(proof, PROOF_LENGTH, "proof");
        if (null == mac)
        {
            Arrays.fill(proof, (byte)0);
            return proof;
        }
        mac.update(AUTH_LABEL);
        mac.update(serverNonce);
        mac.update((byte)type.value());
        update(frame, frameOffset + FrameHeader.HEADER_LENGTH, frameLength - FrameHeader.HEADER_LENGTH);
        return finish(proof);
    }

    /**
     * Checks a client's {@code AUTH} proof (on the primary).
     *
     * @param type        the type of the client's first frame.
     * @param frame       the memory holding that frame, as received.
     * @param frameOffset the offset of its first byte.
     * @param frameLength its length.
     * @param serverNonce the nonce this primary sent in its {@code CHALLENGE}.
     * @param proof       the proof from the {@code AUTH}.
     * @param who         names the client in the error, e.g. "replica 'r1' from 10.0.0.2:5123".
     * @throws FerryException with {@link ErrorCode#AUTHENTICATION} if this side has a secret and the proof is zero or
     *                        does not match.
     */
    public void verifyClientProof(
        final MessageType type,
        final MemorySegment frame,
        final long frameOffset,
        final int frameLength,
        final byte[] serverNonce,
        final byte[] proof,
        final String who)
    {
        if (null == mac)
        {
            return;
        }
        clientProof(type, frame, frameOffset, frameLength, serverNonce, expectedProof);
        check(proof, who);
    }

    /**
     * Writes the primary's proof into the last {@value #PROOF_LENGTH} bytes of a frame whose body is otherwise
     * complete; seal the frame after. All zero without a secret.
     *
     * @param type        the frame's type ({@code WELCOME}, {@code STATUS_RESPONSE}, {@code ERROR}).
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of its first byte.
     * @param frameLength its whole length, the proof included.
     * @param clientNonce the nonce of the client's first frame.
     * @param serverNonce the nonce of this primary's {@code CHALLENGE}.
     */
    public void signFrame(
        final MessageType type,
        final MemorySegment buffer,
        final long frameOffset,
        final int frameLength,
        final byte[] clientNonce,
        final byte[] serverNonce)
    {
        final long proofOffset = frameOffset + frameLength - PROOF_LENGTH;
        if (null == mac)
        {
            buffer.asSlice(proofOffset, PROOF_LENGTH).fill((byte)0);
            return;
        }
        frameProof(type, buffer, frameOffset, frameLength, clientNonce, serverNonce, expectedProof);
        MemorySegment.copy(MemorySegment.ofArray(expectedProof), 0, buffer, proofOffset, PROOF_LENGTH);
    }

    /**
     * Checks the primary's proof at the end of a frame (on the client).
     *
     * @param type        the frame's type.
     * @param buffer      the memory holding the frame.
     * @param frameOffset the offset of its first byte.
     * @param frameLength its whole length, the proof included.
     * @param clientNonce the nonce this client sent in its first frame.
     * @param serverNonce the nonce of the primary's {@code CHALLENGE}.
     * @param what        names the frame in the error, e.g. "WELCOME from 10.0.0.1:7000".
     * @throws FerryException with {@link ErrorCode#AUTHENTICATION} if this side has a secret and the proof is zero or
     *                        does not match.
     */
    public void verifyFrame(
        final MessageType type,
        final MemorySegment buffer,
        final long frameOffset,
        final int frameLength,
        final byte[] clientNonce,
        final byte[] serverNonce,
        final String what)
    {
        if (null == mac)
        {
            return;
        }
        frameProof(type, buffer, frameOffset, frameLength, clientNonce, serverNonce, expectedProof);
        MemorySegment.copy(buffer, frameOffset + frameLength - PROOF_LENGTH, MemorySegment.ofArray(receivedProof), 0,
            PROOF_LENGTH);
        check(receivedProof, what);
    }

    /**
     * @return whether a frame's proof is right (always, without a secret); never throws.
     * @see #verifyFrame(MessageType, MemorySegment, long, int, byte[], byte[], String)
     */
    public boolean frameProven(
        final MessageType type,
        final MemorySegment buffer,
        final long frameOffset,
        final int frameLength,
        final byte[] clientNonce,
        final byte[] serverNonce)
    {
        if (frameLength < FrameHeader.HEADER_LENGTH + PROOF_LENGTH)
        {
            return null == mac; // too short to carry a proof (e.g. an ERROR with a short message and none)
        }
        try
        {
            verifyFrame(type, buffer, frameOffset, frameLength, clientNonce, serverNonce, "frame");
            return true;
        }
        catch (final FerryException ex)
        {
            return false;
        }
    }

    @Override
    public String toString()
    {
        return "HandshakeAuth[" + secret + "]";
    }

    private void frameProof(
        final MessageType type,
        final MemorySegment buffer,
        final long frameOffset,
        final int frameLength,
        final byte[] clientNonce,
        final byte[] serverNonce,
        final byte[] proof)
    {
        checkLength(clientNonce, NONCE_LENGTH, "nonce");
        checkLength(serverNonce, NONCE_LENGTH, "nonce");
        if (frameLength < FrameHeader.HEADER_LENGTH + PROOF_LENGTH)
        {
            throw new IllegalArgumentException("a signed frame is at least " + (FrameHeader.HEADER_LENGTH + PROOF_LENGTH) +
                " bytes, got " + frameLength);
        }
        mac.update(FRAME_LABEL);
        mac.update(clientNonce);
        mac.update(serverNonce);
        mac.update((byte)type.value());
        update(buffer, frameOffset + FrameHeader.HEADER_LENGTH, frameLength - FrameHeader.HEADER_LENGTH - PROOF_LENGTH);
        finish(proof);
    }

    private void update(final MemorySegment buffer, final long offset, final long length)
    {
        mac.update(buffer.asSlice(offset, length).asByteBuffer());
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

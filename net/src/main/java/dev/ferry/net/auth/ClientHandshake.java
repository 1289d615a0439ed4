package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.net.FrameConnection;
import dev.ferry.net.message.AuthFlyweight;
import dev.ferry.net.message.ChallengeFlyweight;
import dev.ferry.net.message.ErrorFlyweight;
import dev.ferry.wal.frame.MessageType;

import java.lang.foreign.MemorySegment;

/**
 * The client's half of the challenge-response ({@link HandshakeAuth}), for a replica and a status client alike: it
 * keeps the first frame it sent and its nonce, answers {@code CHALLENGE} with {@code AUTH}, then checks the primary's
 * proof on every frame that needs one and tells a proven refusal from an unproven one.
 * <p>
 * One per connection attempt ({@link #reset()} between attempts); single-threaded.
 */
public final class ClientHandshake
{
    private final HandshakeAuth auth;
    private final ChallengeFlyweight challenge = new ChallengeFlyweight();
    private final AuthFlyweight authFrame = new AuthFlyweight();
    private final ErrorFlyweight error = new ErrorFlyweight();
    private final byte[] clientNonce = new byte[HandshakeAuth.NONCE_LENGTH];
    private final byte[] serverNonce = new byte[HandshakeAuth.NONCE_LENGTH];
    private final byte[] proof = new byte[HandshakeAuth.PROOF_LENGTH];
    private byte[] first = new byte[0];
    private MessageType firstType;
    private int firstLength;
    private boolean challenged;

    /**
     * @param auth the secret's proofs.
     */
    public ClientHandshake(final HandshakeAuth auth)
    {
        this.auth = auth;
    }

    /**
     * Forget the last attempt and draw a fresh nonce for the next first frame.
     *
     * @return the nonce to put in the first frame ({@code HELLO} or {@code STATUS_REQUEST}).
     */
    public byte[] reset()
    {
        challenged = false;
        firstType = null;
        return auth.nextNonce(clientNonce);
    }

    /**
     * Keep the first frame as sent: the proof in {@code AUTH} covers it.
     *
     * @param type   its type.
     * @param buffer the memory holding it, sealed.
     * @param offset the offset of its first byte.
     * @param length its length.
     */
    public void sent(final MessageType type, final MemorySegment buffer, final long offset, final int length)
    {
        if (first.length < length)
        {
            first = new byte[length];
        }
        MemorySegment.copy(buffer, offset, MemorySegment.ofArray(first), 0, length);
        firstType = type;
        firstLength = length;
    }

    /**
     * Answer a {@code CHALLENGE} with {@code AUTH}, committed to the connection's send buffer.
     *
     * @param buffer the memory holding the {@code CHALLENGE}.
     * @param offset the offset of its first byte.
     * @param length its length.
     * @param link   the connection to answer on.
     * @throws dev.ferry.wal.frame.FrameException for a malformed {@code CHALLENGE}.
     * @throws FerryException with {@code PROTOCOL} for a second {@code CHALLENGE} or one before the first frame.
     */
    public void onChallenge(final MemorySegment buffer, final long offset, final int length, final FrameConnection link)
    {
        if (challenged || firstType == null)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "unexpected CHALLENGE from " + link.remoteAddress());
        }
        challenge.decode(buffer, offset, length).copyNonceTo(serverNonce);
        challenged = true;
        auth.clientProof(firstType, MemorySegment.ofArray(first), 0, firstLength, serverNonce, proof);
        final long claim = link.claim(AuthFlyweight.LENGTH);
        if (claim < 0)
        {
            throw new FerryException(ErrorCode.INTERNAL, "no room for AUTH in a fresh send buffer");
        }
        link.commit(authFrame.encode(link.sendBuffer(), claim, proof));
    }

    /**
     * @return whether the primary's {@code CHALLENGE} arrived and was answered.
     */
    public boolean challenged()
    {
        return challenged;
    }

    /**
     * Check the primary's proof at the end of a frame.
     *
     * @param type   the frame's type.
     * @param buffer the memory holding it.
     * @param offset the offset of its first byte.
     * @param length its length.
     * @param what   names it in an error, e.g. "WELCOME from 10.0.0.1:7000".
     * @throws FerryException with {@code AUTHENTICATION} if the proof is wrong or missing, or the frame came before
     *                        the challenge.
     */
    public void verify(final MessageType type, final MemorySegment buffer, final long offset, final int length,
        final String what)
    {
        if (!challenged)
        {
            throw new FerryException(ErrorCode.AUTHENTICATION, what + " came before any CHALLENGE: not from a primary " +
                "that authenticated this client");
        }
        auth.verifyFrame(type, buffer, offset, length, clientNonce, serverNonce, what);
    }

    /**
     * @param buffer the memory holding an {@code ERROR} from the primary.
     * @param offset the offset of its first byte.
     * @param length its length.
     * @param from   the primary's address.
     * @return the refusal, proven if its proof is right (or no secret is used).
     * @throws dev.ferry.wal.frame.FrameException for a malformed {@code ERROR}.
     */
    public PeerRefusal refusal(final MemorySegment buffer, final long offset, final int length, final String from)
    {
        error.decode(buffer, offset, length);
        final boolean proven = !auth.hasSecret() ||
            (challenged && error.hasProof() &&
                auth.frameProven(MessageType.ERROR, buffer, offset, length, clientNonce, serverNonce));
        return new PeerRefusal(error.code(), "primary " + from + " says: " + error.printableMessage(), proven);
    }
}

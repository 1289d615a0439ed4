package dev.ferry.engine.handshake;

import dev.ferry.engine.history.Epoch;
import dev.ferry.net.message.WelcomeFlyweight;

import java.util.UUID;

/**
 * What a {@code WELCOME} says, as {@link Resume#checkWelcome} needs it.
 *
 * @param historyId     the server's history id.
 * @param epoch         the server's current epoch: number, start offset, the node that began it.
 * @param startOffset   the first offset it will send.
 * @param maxFrameBytes the largest frame it will send.
 * @param mode          stream, a snapshot at {@code startOffset} first, or truncate to {@code startOffset} first.
 * @param chainBefore   the server's chained checksum at {@code startOffset - 1}, or -1 if it does not hold it.
 */
public record PrimaryWelcome(UUID historyId, Epoch epoch, long startOffset, int maxFrameBytes,
    WelcomeFlyweight.Mode mode, long chainBefore)
{
    /**
     * A {@code WELCOME} of mode STREAM at an epoch of no named node, with no chain (for tests).
     */
    public PrimaryWelcome(final UUID historyId, final long epoch, final long startOffset, final int maxFrameBytes)
    {
        this(historyId, new Epoch(epoch, epoch == 0 ? 0 : startOffset), startOffset, maxFrameBytes,
            WelcomeFlyweight.Mode.STREAM, -1);
    }

    /**
     * @return whether a snapshot comes first.
     */
    public boolean snapshot()
    {
        return mode == WelcomeFlyweight.Mode.SNAPSHOT;
    }

    /**
     * @param welcome a decoded {@code WELCOME}.
     * @return what it says, as {@link Resume#checkWelcome} takes it.
     */
    public static PrimaryWelcome of(final WelcomeFlyweight welcome)
    {
        return new PrimaryWelcome(new UUID(welcome.historyIdHi(), welcome.historyIdLo()),
            new Epoch(welcome.epoch(), welcome.epochStartOffset(), welcome.epochNode()), welcome.startOffset(),
            welcome.maxFrameBytes(), welcome.mode(), welcome.chainBefore());
    }
}

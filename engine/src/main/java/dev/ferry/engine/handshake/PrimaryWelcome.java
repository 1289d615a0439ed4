package dev.ferry.engine.handshake;

import dev.ferry.net.message.WelcomeFlyweight;

import java.util.UUID;

/**
 * What a {@code WELCOME} says, as {@link Resume#checkWelcome} needs it.
 *
 * @param historyId     the server's history id.
 * @param epoch         the server's epoch.
 * @param startOffset   the first offset it will send.
 * @param maxFrameBytes the largest frame it will send.
 * @param snapshot      whether a snapshot at {@code startOffset} comes first (mode SNAPSHOT).
 */
public record PrimaryWelcome(UUID historyId, long epoch, long startOffset, int maxFrameBytes, boolean snapshot)
{
    /**
     * A {@code WELCOME} of mode STREAM.
     */
    public PrimaryWelcome(final UUID historyId, final long epoch, final long startOffset, final int maxFrameBytes)
    {
        this(historyId, epoch, startOffset, maxFrameBytes, false);
    }

    /**
     * @param welcome a decoded {@code WELCOME}.
     * @return what it says, as {@link Resume#checkWelcome} takes it.
     */
    public static PrimaryWelcome of(final WelcomeFlyweight welcome)
    {
        return new PrimaryWelcome(new UUID(welcome.historyIdHi(), welcome.historyIdLo()), welcome.epoch(),
            welcome.startOffset(), welcome.maxFrameBytes(), welcome.mode() == WelcomeFlyweight.Mode.SNAPSHOT);
    }
}

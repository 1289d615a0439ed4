package dev.ferry.engine.handshake;

import java.util.UUID;

/**
 * What a {@code WELCOME} says, as {@link Resume#checkWelcome} needs it.
 *
 * @param historyId     the server's history id.
 * @param epoch         the server's epoch.
 * @param startOffset   the first offset it will send.
 * @param maxFrameBytes the largest frame it will send.
 */
public record PrimaryWelcome(UUID historyId, long epoch, long startOffset, int maxFrameBytes)
{
}

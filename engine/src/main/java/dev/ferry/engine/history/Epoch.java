package dev.ferry.engine.history;

/**
 * One epoch of a history: its number, the first offset written in it, and the node that began it. Epoch 0 starts at
 * offset 0, where every history starts, begun by the node that created the history; a promotion begins the next epoch
 * at the promoted node's next offset. Only a promotion begins an epoch (a restart never does), so two epochs of one
 * number are the same epoch only if the same node began them at the same offset: the same number from another node is
 * a divergence, not a match.
 *
 * @param number      the epoch number, from 0, strictly increasing along a history.
 * @param startOffset the first offset of the epoch, non-decreasing along a history.
 * @param node        the id of the node that began it ("" when not known: a history written before epochs named
 *                    their node).
 */
public record Epoch(long number, long startOffset, String node)
{
    /**
     * @throws IllegalArgumentException if a field is negative or the node is null.
     */
    public Epoch
    {
        if (number < 0 || startOffset < 0 || node == null)
        {
            throw new IllegalArgumentException("epoch " + number + " at offset " + startOffset + " by " + node +
                ": numbers must be >= 0 and the node given");
        }
    }

    /**
     * An epoch whose node is not known.
     */
    public Epoch(final long number, final long startOffset)
    {
        this(number, startOffset, "");
    }

    /**
     * @param number   an epoch number.
     * @param nodeHash the hash of a node id ({@code HelloFlyweight.nodeHash}).
     * @param hasher   the hash function.
     * @return whether this is that epoch.
     */
    public boolean is(final long number, final long nodeHash, final java.util.function.ToLongFunction<String> hasher)
    {
        return this.number == number && hasher.applyAsLong(node) == nodeHash;
    }

    @Override
    public String toString()
    {
        return number + "@" + startOffset + (node.isEmpty() ? "" : ":" + node);
    }
}

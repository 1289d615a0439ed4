package dev.ferry.engine.history;

/**
 * One epoch of a history: its number and the first offset written in it. Epoch 0 starts at offset 0, where every
 * history starts; a promotion begins the next epoch at the new primary's next offset (the epochs issue).
 *
 * @param number      the epoch number, from 0, strictly increasing along a history.
 * @param startOffset the first offset of the epoch, non-decreasing along a history.
 */
public record Epoch(long number, long startOffset)
{
    /**
     * @throws IllegalArgumentException if a field is negative.
     */
    public Epoch
    {
        if (number < 0 || startOffset < 0)
        {
            throw new IllegalArgumentException("epoch " + number + " at offset " + startOffset + ": both must be >= 0");
        }
    }

    @Override
    public String toString()
    {
        return number + "@" + startOffset;
    }
}

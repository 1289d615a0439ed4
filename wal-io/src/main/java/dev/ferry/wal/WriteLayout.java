package dev.ferry.wal;

import java.io.File;

/**
 * Where, in the roll-cycle file being written, Chronicle keeps bytes it will write again: what a
 * {@link PageCacheRelease} must leave cached so that no append waits for a page to be read back from disk. Published
 * by the writer ({@link EntryWriter}) when it changes, which is rare: a new cycle, or a new index array (every
 * 1,048,576 entries under {@code FAST_DAILY}).
 * <p>
 * Chronicle writes again only its file header and index-to-index array (at the start of a file, before the first
 * entry) and the last index array it allocated (a slot every {@code indexSpacing} entries; the first one also before
 * the first entry). The writer sees each later index array as a gap between two consecutive entries' positions, where
 * Chronicle inserted a metadata document: the last gap is the index array being filled ({@code metaFrom}–
 * {@code metaTo}). Older index arrays are complete and never written again.
 *
 * @param file     the roll-cycle file.
 * @param cycle    its cycle.
 * @param floor    the position below which nothing may be released: the first entry's, in a file this writer
 *                 started; in a file an earlier process wrote, -1 until the first gap, then its end (the live index
 *                 array may be anywhere behind the first entry written since the open).
 * @param metaFrom where the last metadata gap begins (the live index array), or -1.
 * @param metaTo   where it ends (the next entry's position).
 */
record WriteLayout(File file, int cycle, long floor, long metaFrom, long metaTo)
{
    /** A gap between two entries longer than this is a metadata document (an index array is 32 KiB or more). */
    static final long METADATA_GAP = 256;

    /**
     * @param from where the gap begins (the end of the entry before it).
     * @param to   where it ends (the next entry's position).
     * @return the layout with this gap as the live index array (and, if it is the file's first, as the floor).
     */
    WriteLayout withMetadata(final long from, final long to)
    {
        return new WriteLayout(file, cycle, floor < 0 ? to : floor, from, to);
    }
}

package dev.ferry.engine.history;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.AtomicFile;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * The identity of a WAL's history: a random id given when a primary's WAL is created (a replica adopts its
 * primary's), and its epochs, each with the offset it starts at. Two WALs with different ids never exchange
 * entries; the epochs let two WALs of one history find the last offset they share (Kafka's leader-epoch rule, in the
 * epochs issue). Immutable.
 * <p>
 * Stored beside the WAL in {@value #FILE}, replaced atomically ({@link AtomicFile}: temporary file, fsync, rename,
 * directory fsync). Format {@value #FORMAT_VERSION}:
 * <pre>
 *   format=2
 *   historyId=2f6c…            the id
 *   epoch=1                    the current epoch's number (all that the files before format 1 held)
 *   epochs=0@0:p1,1@5000:r2    every epoch as number@startOffset:node, in order (format 1: without the node)
 * </pre>
 * A file without {@code format} (written before format 1) holds {@code historyId} and {@code epoch} only; it is read
 * as one epoch starting at offset 0, which is what every such file meant (no promotion existed to begin another).
 */
public final class History
{
    /** The file in the WAL directory. */
    public static final String FILE = "ferry-history.properties";
    /** The format written; a file of a newer format is refused rather than misread. */
    public static final int FORMAT_VERSION = 2;

    private final UUID id;
    private final List<Epoch> epochs;

    private History(final UUID id, final List<Epoch> epochs)
    {
        this.id = id;
        this.epochs = epochs;
    }

    /**
     * @param id     the history id.
     * @param epochs its epochs in order: at least one, numbers strictly increasing, start offsets non-decreasing.
     * @return the history.
     * @throws IllegalArgumentException if the epochs are not in that order.
     */
    public static History of(final UUID id, final List<Epoch> epochs)
    {
        if (id == null || epochs == null || epochs.isEmpty())
        {
            throw new IllegalArgumentException("a history needs an id and at least one epoch");
        }
        for (int i = 1; i < epochs.size(); i++)
        {
            final Epoch before = epochs.get(i - 1);
            final Epoch epoch = epochs.get(i);
            if (epoch.number() <= before.number() || epoch.startOffset() < before.startOffset())
            {
                throw new IllegalArgumentException("epochs out of order: " + before + " then " + epoch);
            }
        }
        return new History(id, List.copyOf(epochs));
    }

    /**
     * @return a new history with a random id and epoch 0 from offset 0, of no named node.
     */
    public static History create()
    {
        return create("");
    }

    /**
     * @param node the id of the node creating it.
     * @return a new history with a random id and epoch 0 from offset 0, begun by {@code node}.
     */
    public static History create(final String node)
    {
        return of(UUID.randomUUID(), List.of(new Epoch(0, 0, node)));
    }

    /**
     * The history of a node promoted to primary: the next epoch, begun by it at its next offset.
     *
     * @param node       the promoted node's id.
     * @param nextOffset its next offset, where the new epoch starts.
     * @return the history with the new epoch appended.
     */
    public History promoted(final String node, final long nextOffset)
    {
        final List<Epoch> next = new ArrayList<>(epochs);
        next.add(new Epoch(epoch() + 1, Math.max(nextOffset, current().startOffset()), node));
        return of(id, next);
    }

    /**
     * The history of this WAL once it keeps only the offsets below {@code nextOffset} (a truncation): the epochs that
     * begin at or after it are gone with their entries (the first epoch stays).
     *
     * @param nextOffset the WAL's next offset after the truncation.
     * @return the history ({@code this} if no epoch goes).
     */
    public History truncatedTo(final long nextOffset)
    {
        int keep = epochs.size();
        while (keep > 1 && epochs.get(keep - 1).startOffset() >= nextOffset)
        {
            keep--;
        }
        return keep == epochs.size() ? this : of(id, epochs.subList(0, keep));
    }

    /**
     * @param number   an epoch number.
     * @param nodeHash the hash of the node that began it.
     * @param hasher   the node hash function.
     * @return the index of that epoch in this history, or -1.
     */
    public int indexOf(final long number, final long nodeHash, final java.util.function.ToLongFunction<String> hasher)
    {
        for (int i = epochs.size() - 1; i >= 0; i--)
        {
            if (epochs.get(i).is(number, nodeHash, hasher))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param index an epoch's index.
     * @return the offset where it ends (the next epoch's start), or {@link Long#MAX_VALUE} for the current one.
     */
    public long endOf(final int index)
    {
        return index + 1 < epochs.size() ? epochs.get(index + 1).startOffset() : Long.MAX_VALUE;
    }

    /**
     * The history a replica keeps after its primary's {@code WELCOME}, which names the id and the current epoch only:
     * its own if the primary's is the same history at the same epoch; its own with the new epoch appended if the
     * primary has moved to a newer one; otherwise (an empty replica, or none yet) the primary's. Epoch 0 starts at
     * offset 0; a later epoch is recorded from the first offset this replica receives in it (an upper bound of its
     * real start, until the handshake carries the epochs: the epochs issue).
     *
     * @param own         the replica's history, or null.
     * @param id          the primary's history id.
     * @param epoch       the primary's current epoch.
     * @param firstOffset the first offset the replica receives from it.
     * @return the replica's history from now on ({@code own} itself if nothing changed).
     */
    public static History follow(final History own, final UUID id, final long epoch, final long firstOffset)
    {
        return follow(own, id, new Epoch(epoch, epoch == 0 ? 0 : firstOffset, ""));
    }

    /**
     * The history a replica keeps after its primary's {@code WELCOME}, which names the primary's current epoch
     * (number, start, node): its own if that is already its current epoch; its own without the epochs of that number
     * or later (another node's: the resume decision proved that it holds none of their entries, or had them truncated)
     * and with the primary's appended; the primary's alone if it has none of this id.
     *
     * @param own     the replica's history, or null.
     * @param id      the primary's history id.
     * @param current the primary's current epoch.
     * @return the replica's history from now on ({@code own} itself if nothing changed).
     */
    public static History follow(final History own, final UUID id, final Epoch current)
    {
        if (own == null || !own.id.equals(id))
        {
            return of(id, List.of(current));
        }
        if (own.current().equals(current) || (own.epoch() == current.number() && current.node().isEmpty()))
        {
            return own;
        }
        final List<Epoch> epochs = new ArrayList<>();
        for (final Epoch epoch : own.epochs)
        {
            if (epoch.number() < current.number())
            {
                epochs.add(epoch);
            }
        }
        final long floor = epochs.isEmpty() ? 0 : epochs.getLast().startOffset();
        epochs.add(new Epoch(current.number(), Math.max(current.startOffset(), floor), current.node()));
        return of(id, epochs);
    }

    /**
     * @return the history id.
     */
    public UUID id()
    {
        return id;
    }

    /**
     * @return the epochs, in order (unmodifiable).
     */
    public List<Epoch> epochs()
    {
        return epochs;
    }

    /**
     * @return the current (last) epoch.
     */
    public Epoch current()
    {
        return epochs.getLast();
    }

    /**
     * @return the current epoch's number.
     */
    public long epoch()
    {
        return current().number();
    }

    /**
     * @param walDir the WAL directory.
     * @return the stored history, or null if none.
     * @throws FerryException STORAGE if the file is unreadable, malformed or of a newer format.
     */
    public static History load(final Path walDir)
    {
        final Path file = walDir.resolve(FILE);
        if (!Files.exists(file))
        {
            return null;
        }
        try
        {
            final Properties props = new Properties();
            props.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            return parse(props);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static History parse(final Properties props)
    {
        final UUID id = UUID.fromString(required(props, "historyId"));
        final String format = props.getProperty("format");
        if (format == null)
        {
            return of(id, List.of(new Epoch(Long.parseLong(required(props, "epoch")), 0)));
        }
        final int version = Integer.parseInt(format.trim());
        if (version > FORMAT_VERSION)
        {
            throw new IllegalArgumentException("format " + version + " is newer than this Ferry reads (" +
                FORMAT_VERSION + "): upgrade Ferry");
        }
        final List<Epoch> epochs = new ArrayList<>();
        for (final String item : required(props, "epochs").split(","))
        {
            final int at = item.indexOf('@');
            if (at < 0)
            {
                throw new IllegalArgumentException("epoch '" + item + "' is not number@startOffset");
            }
            final int colon = item.indexOf(':', at);
            final String start = colon < 0 ? item.substring(at + 1) : item.substring(at + 1, colon);
            epochs.add(new Epoch(Long.parseLong(item.substring(0, at).trim()), Long.parseLong(start.trim()),
                colon < 0 ? "" : item.substring(colon + 1).trim()));
        }
        final History history = of(id, epochs);
        if (history.epoch() != Long.parseLong(required(props, "epoch").trim()))
        {
            throw new IllegalArgumentException("epoch=" + props.getProperty("epoch") + " is not the last of epochs=" +
                props.getProperty("epochs"));
        }
        return history;
    }

    private static String required(final Properties props, final String key)
    {
        final String value = props.getProperty(key);
        if (value == null)
        {
            throw new IllegalArgumentException("no " + key);
        }
        return value.trim();
    }

    /**
     * Write this history into the WAL directory, atomically and durably.
     *
     * @param walDir the WAL directory.
     * @throws FerryException STORAGE if it cannot be written (the file on disk is then unchanged).
     */
    public void save(final Path walDir)
    {
        AtomicFile.write(walDir.resolve(FILE), text().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @return this history as its file holds it (what {@link #parse(String)} reads back).
     */
    public String text()
    {
        final StringBuilder text = new StringBuilder("# Ferry WAL history: written atomically by Ferry, do not edit\n")
            .append("format=").append(FORMAT_VERSION).append('\n')
            .append("historyId=").append(id).append('\n')
            .append("epoch=").append(epoch()).append('\n')
            .append("epochs=");
        for (int i = 0; i < epochs.size(); i++)
        {
            text.append(i == 0 ? "" : ",").append(epochs.get(i));
        }
        return text.append('\n').toString();
    }

    /**
     * @param text a history as {@link #text()} writes it (an archive keeps it so).
     * @return the history.
     * @throws IllegalArgumentException if it is malformed or of a newer format.
     */
    public static History parse(final String text)
    {
        try
        {
            final Properties props = new Properties();
            props.load(new StringReader(text));
            return parse(props);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof History that && id.equals(that.id) && epochs.equals(that.epochs);
    }

    @Override
    public int hashCode()
    {
        return id.hashCode() * 31 + epochs.hashCode();
    }

    @Override
    public String toString()
    {
        return id + "@" + epoch();
    }
}

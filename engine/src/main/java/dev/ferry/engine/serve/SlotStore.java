package dev.ferry.engine.serve;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.AtomicFile;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The durable positions of the replicas a primary has served, kept beside its WAL in {@value #FILE} (written with
 * {@link AtomicFile}) so that retention after a restart still waits for replicas that have not reconnected yet.
 * Written at once when a replica appears or is given up, just before retention deletes a file (if a position moved since the last
 * write), and when the primary closes; a crash in between leaves positions older than the truth, which only retain
 * more.
 */
public final class SlotStore
{
    /** The file in the WAL directory: one line {@code id=durableOffset} per replica; delete a line to forget a replica. */
    public static final String FILE = "ferry-slots.properties";

    private final Path file;
    private Map<String, Long> written = Map.of();

    SlotStore(final Path walDir)
    {
        this.file = walDir.resolve(FILE);
    }

    /**
     * Slots saved by an earlier run, as DISCONNECTED slots holding retention at their durable position, never beyond
     * {@code head}: a primary whose unsynced tail a power loss took has a head below what its replicas acknowledged,
     * and the entries it appends again there must not count as on those replicas (a synchronous append would be
     * acknowledged by a position nobody confirmed for them).
     *
     * @param slots the table to fill.
     * @param head  the WAL's next offset.
     */
    void load(final SlotTable slots, final long head)
    {
        if (!Files.exists(file))
        {
            return;
        }
        final Properties props = new Properties();
        try
        {
            props.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.STORAGE, "cannot read " + file + ": " + ex.getMessage(), ex);
        }
        final Map<String, Long> loaded = new TreeMap<>();
        for (final String id : props.stringPropertyNames())
        {
            try
            {
                final long durable = Long.parseLong(props.getProperty(id).trim());
                slots.slot(id).restore(Math.min(durable, head));
                loaded.put(id, durable);
            }
            catch (final NumberFormatException ex)
            {
                throw new FerryException(ErrorCode.STORAGE, file + " has a bad position for replica '" + id + "'", ex);
            }
        }
        written = loaded;
    }

    /**
     * @param slots the primary's slots.
     * @return true if the valid slots are not the ones last written (a replica appeared or was given up).
     */
    boolean slotSetChanged(final SlotTable slots)
    {
        int valid = 0;
        for (final ReplicaSlot slot : slots.all())
        {
            if (!slot.invalidated())
            {
                valid++;
                if (!written.containsKey(slot.id()))
                {
                    return true;
                }
            }
        }
        return valid != written.size();
    }

    /** Save the valid slots' retention positions (durable, or received if it never syncs) if any moved. */
    void save(final SlotTable slots)
    {
        final Map<String, Long> now = new TreeMap<>();
        for (final ReplicaSlot slot : slots.all())
        {
            if (!slot.invalidated())
            {
                now.put(slot.id(), slot.retainFrom());
            }
        }
        if (now.equals(written))
        {
            return;
        }
        final StringBuilder text = new StringBuilder(
            "# replica id = next offset retention keeps for it: durable, or received if it never syncs (by the primary)\n");
        now.forEach((id, durable) -> text.append(id).append('=').append(durable).append('\n'));
        AtomicFile.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
        written = now;
    }
}

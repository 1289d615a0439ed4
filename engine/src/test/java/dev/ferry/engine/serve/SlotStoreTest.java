package dev.ferry.engine.serve;

import dev.ferry.engine.AckLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Slots saved by an earlier run hold retention where their replicas were, but never count for entries the WAL does not
 * hold: after a power loss took the primary's unsynced tail, an entry appended again at an offset a replica had
 * acknowledged before is not on that replica (review of issue 17: a synchronous append was acknowledged so).
 */
class SlotStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNotRestoreAPositionBeyondTheHead() throws IOException
    {
        Files.writeString(dir.resolve(SlotStore.FILE), "r1=500\nr2=80\n");
        final SlotTable slots = new SlotTable();
        new SlotStore(dir).load(slots, 100);
        assertEquals(100, slots.slot("r1").durableOffset(), "clamped to the head");
        assertEquals(80, slots.slot("r2").durableOffset(), "below the head: as saved");
        assertEquals(0, slots.count(120, AckLevel.DURABLE), "an entry appended again at 120 is on no replica");
        assertEquals(2, slots.count(50, AckLevel.DURABLE));
    }
}

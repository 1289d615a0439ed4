package dev.ferry.engine.serve;

import dev.ferry.engine.PrimaryConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the slots hold retention (issue 15, finding 4): a new slot started at offset 0 and was saved, so one HELLO
 * that never acknowledged anything stopped every deletion until the disk filled.
 */
class SlotTableTest
{
    @Test
    void shouldHoldRetentionFromWhereANewReplicaResumesNotFromZero()
    {
        final SlotTable slots = new SlotTable();
        slots.slot("r1").resumeAt(1_000);
        assertEquals(1_000, slots.floor(), "a replica that never acked holds only what it said it has");
    }

    @Test
    void shouldHoldRetentionFromTheDurablePositionOnceAcknowledged()
    {
        final SlotTable slots = new SlotTable();
        final ReplicaSlot slot = slots.slot("r1");
        slot.resumeAt(1_000);
        slot.onAck(1_500, 1_200, 1_500, System.nanoTime());
        assertEquals(1_200, slots.floor());
        slot.resumeAt(1_500); // reconnected: durable only moves with its next ACK
        assertEquals(1_200, slots.floor());
        slot.syncs(false);
        assertEquals(1_500, slots.floor(), "a replica that never syncs holds what it received");
    }

    @Test
    void shouldHoldRetentionFromASavedSlotsPosition()
    {
        final SlotTable slots = new SlotTable();
        slots.slot("r1").restore(700);
        slots.slot("r1").resumeAt(900);
        assertEquals(700, slots.floor(), "saved by an earlier run: its position stands until it acks");
    }

    @Test
    void shouldCapSlotsByDefault()
    {
        assertTrue(new PrimaryConfig().slotCapBytes() > 0, "a finite slot cap by default");
        assertEquals(16L << 30, PrimaryConfig.SLOT_CAP_BYTES_DEFAULT);
    }
}

package dev.ferry.engine.archive;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.history.History;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An archive is read as hostile input: an object larger than any shipper writes is refused before it is read whole, a
 * snapshot whose stream holds more than its header says is refused before it fills the disk, a segment whose checksum
 * holds but whose frames lie is refused, and a malformed generation object is a clear error, each CHECKSUM.
 */
class HostileArchiveTest
{
    @TempDir
    Path dir;

    @Test
    void anObjectLargerThanTheBoundIsRefusedUnread() throws Exception
    {
        try (DirectoryStore store = new DirectoryStore(dir.resolve("a"), "a"))
        {
            store.put("x", new byte[11]);
            assertEquals(11, SegmentFormat.load(store, "x", 11, "object").length);
            final FerryException ex = assertThrows(FerryException.class, () -> SegmentFormat.load(store, "x", 10, "object"));
            assertEquals(ErrorCode.CHECKSUM, ex.code());
            assertTrue(ex.getMessage().contains("larger than the 10 bytes"), ex.getMessage());
        }
    }

    @Test
    void aSnapshotHoldingMoreThanItsHeaderSaysIsRefused() throws Exception
    {
        final Path state = Files.write(dir.resolve("state"), new byte[100_000]);
        final Path object = dir.resolve("object");
        SnapshotFormat.write(state, new SnapshotFormat.Header(0, 10, 0, 1_000), object);
        final FerryException ex = assertThrows(FerryException.class,
            () -> SnapshotFormat.read(object, "s", dir.resolve("out")));
        assertEquals(ErrorCode.CHECKSUM, ex.code());
        assertTrue(Files.size(dir.resolve("out")) <= 1_001, "stopped at the header's length, plus one byte");
    }

    @Test
    void aSegmentWhoseFramesLieIsRefusedAndNothingOfItIsRestored() throws Exception
    {
        final Path walDir = dir.resolve("wal");
        try (Wal wal = Wal.open(new WalConfig().directory(walDir)))
        {
            History.create("p").save(walDir);
            final KvEntryWriter writer = new KvEntryWriter(64);
            for (int i = 0; i < 100; i++)
            {
                wal.append(writer.reset().put(0, "k" + i, "v").entry());
            }
        }
        final Path archive = dir.resolve("archive");
        try (DirectoryStore store = new DirectoryStore(archive, "file:" + archive))
        {
            try (Shipper shipper = new Shipper(new ArchiveContext().walDirectory(walDir).store(store), null))
            {
                shipper.doWork(System.nanoTime());
                shipper.flush();
            }
            final ArchiveLayout.Segment segment = ArchiveLayout.parse(store.list(ArchiveLayout.GENERATIONS)).getFirst()
                .segments().getFirst();
            final Path file = archive.resolve(segment.key());
            final byte[] bytes = Files.readAllBytes(file);
            final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(SegmentFormat.HEADER_LENGTH, Integer.MAX_VALUE); // the first frame claims 2 GiB
            final CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            b.putInt(bytes.length - 4, (int)crc.getValue()); // and the object's checksum agrees
            Files.write(file, bytes);
            final FerryException ex = assertThrows(FerryException.class,
                () -> Restore.run(store, dir.resolve("restored"), Restore.Target.NEWEST, EventLog.NONE));
            assertEquals(ErrorCode.CHECKSUM, ex.code());
            assertTrue(ex.getMessage().contains("claims"), ex.getMessage());

            store.put(ArchiveLayout.generationKey(segment.generation()), "archiveFormat=1\nstartOffset=x\n".getBytes());
            final FerryException meta = assertThrows(FerryException.class,
                () -> GenerationMeta.load(store, segment.generation()));
            assertEquals(ErrorCode.CHECKSUM, meta.code());
            assertTrue(meta.getMessage().contains("malformed"), meta.getMessage());
        }
    }
}

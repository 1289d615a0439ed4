package dev.ferry.engine.state;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The key-value state's hash table, checked against a {@link HashMap} over random adds and removes: backward-shift
 * deletion must keep every other key findable, across growth, wrap-around and keys that share a hash.
 */
class KvTableTest
{
    @Test
    void shouldFindExactlyWhatAHashMapFindsOverRandomAddsAndRemoves()
    {
        final SplittableRandom random = new SplittableRandom(21);
        final KvTable table = new KvTable();
        final Map<String, KvTable.Record> model = new HashMap<>();
        for (int step = 0; step < 200_000; step++)
        {
            final String name = "k" + random.nextInt(3_000);
            final KvStateMachine.Key probe = key(name);
            if (random.nextInt(3) == 0)
            {
                assertSame(model.remove(name), table.remove(probe), "remove " + name + " at step " + step);
            }
            else if (model.containsKey(name))
            {
                assertSame(model.get(name), table.get(probe), "get " + name + " at step " + step);
            }
            else
            {
                assertNull(table.get(probe), "absent " + name + " at step " + step);
                final KvTable.Record record = new KvTable.Record(probe.bytes, probe.hash, new byte[]{1}, 0);
                table.add(record);
                model.put(name, record);
            }
            assertEquals(model.size(), table.size());
        }
        for (final Map.Entry<String, KvTable.Record> e : model.entrySet())
        {
            assertSame(e.getValue(), table.get(key(e.getKey())));
        }
        int seen = 0;
        for (int slot = 0; slot < table.capacity(); slot++)
        {
            seen += table.at(slot) == null ? 0 : 1;
        }
        assertEquals(model.size(), seen, "each record in one slot");
    }

    @Test
    void shouldKeepKeysThatShareAHashApartThroughRemovals()
    {
        // "Aa" and "BB" have the same String-style hash, and so do all concatenations of them: one long probe run
        final List<KvStateMachine.Key> keys = new ArrayList<>();
        for (int i = 0; i < 256; i++)
        {
            final StringBuilder name = new StringBuilder();
            for (int bit = 0; bit < 8; bit++)
            {
                name.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(key(name.toString()));
        }
        assertEquals(1, keys.stream().mapToInt(k -> k.hash).distinct().count(), "the keys share one hash");
        final KvTable table = new KvTable();
        for (final KvStateMachine.Key k : keys)
        {
            table.add(new KvTable.Record(k.bytes, k.hash, k.bytes, 0));
        }
        for (int i = 0; i < keys.size(); i += 2)
        {
            assertSame(keys.get(i).bytes, table.remove(keys.get(i)).value);
        }
        for (int i = 0; i < keys.size(); i++)
        {
            final KvTable.Record found = table.get(keys.get(i));
            if (i % 2 == 0)
            {
                assertNull(found, "removed " + i);
            }
            else
            {
                assertSame(keys.get(i).bytes, found.value, "kept " + i);
            }
        }
        assertEquals(128, table.size());
        assertEquals(128, table.sorted().length);
    }

    private static KvStateMachine.Key key(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return new KvStateMachine.Key(bytes, bytes.length);
    }
}

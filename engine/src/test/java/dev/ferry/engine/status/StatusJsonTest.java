package dev.ferry.engine.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaStatus;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.cli.StatusDocuments;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusJsonTest
{
    private static final PrimaryStatus STATUS = new PrimaryStatus(1_000, 10, "2f6c1d0e-6a4b-4c1e-9a57-1f0e2d3c4b5a", 3,
        "batch", 998, List.of(
            new ReplicaStatus("r-1.a_b", "127.0.0.1:40123", SlotState.STREAMING, 1_000, 999, true, 990, 0, 0, 0, 12,
                71.7, 3401.75, 1.0E-7, 63_720),
            new ReplicaStatus("r2", "", SlotState.DISCONNECTED, 5, 5, false, 5, 995, 64_000, 1_234, -1, 0, 0, 0, 0),
            new ReplicaStatus("r3", "127.0.0.1:40124", SlotState.STREAMING, 1_000, 1_000, true, 1_000, 0, 0, 0, 3, 50,
                60, 70, 10, 0, 0, 0, 0, 0, 0, 0, false, false, 812, 57, 233_472, 2, 321, 40)), 990);

    @Test
    void shouldWriteTheSameDocumentAsAJsonLibraryWould() throws Exception
    {
        assertEquals(new ObjectMapper().writeValueAsString(STATUS), StatusJson.write(STATUS));
    }

    @Test
    void shouldReadBackWhatItWrote()
    {
        assertEquals(STATUS, StatusDocuments.read(StatusJson.write(STATUS)));
    }

    @Test
    void shouldEscapeStrings() throws Exception
    {
        final PrimaryStatus odd = new PrimaryStatus(0, 0, "quote\" back\\ tab\t nl\n ctl\u0001", 0, "none", 0, List.of(), 0);
        assertEquals(new ObjectMapper().writeValueAsString(odd), StatusJson.write(odd));
        assertEquals(odd, StatusDocuments.read(StatusJson.write(odd)));
    }
}

package dev.ferry.engine.cli;

import dev.ferry.engine.PrimaryStatus;
import dev.ferry.engine.ReplicaStatus;
import dev.ferry.engine.SlotState;
import dev.ferry.engine.status.StatusJson;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A status document from a primary is outside bytes: {@link StatusDocuments#read} returns a status with every field
 * {@code ferry status} prints, or refuses the document with {@code PROTOCOL}. The refused shapes were found by
 * {@link StatusDocumentFuzzTest} (its input is kept in {@code StatusDocumentFuzzTestInputs/statusDocument}).
 */
class StatusDocumentsTest
{
    private static final String REPLICA = "{\"id\":\"r1\",\"remote\":\"10.0.0.7:51234\",\"state\":\"STREAMING\"," +
        "\"received\":1000,\"durable\":990,\"syncs\":true,\"applied\":980,\"lagEntries\":0,\"lagBytes\":0," +
        "\"lagMillis\":0,\"lastHeartbeatMsAgo\":12,\"ackP50Micros\":71.7,\"ackP99Micros\":3401.7," +
        "\"ackP999Micros\":7065.6,\"acks\":63720}";
    private static final String HEAD = "{\"head\":1000,\"oldest\":100,\"historyId\":\"0123456789abcdef\",\"epoch\":2," +
        "\"sync\":\"batch\",\"durable\":1000,";

    @Test
    void shouldReadWhatAPrimaryWrites()
    {
        final PrimaryStatus status = new PrimaryStatus(1_000, 100, "0123456789abcdef", 2, "batch", 1_000, List.of(
            new ReplicaStatus("r1", "10.0.0.7:51234", SlotState.STREAMING, 1_000, 990, true, 980, 0, 0, 0, 12, 71.7,
                3_401.7, 7_065.6, 63_720)), 1_000);
        assertEquals(status, StatusDocuments.read(StatusJson.write(status)));
        assertEquals(status, StatusDocuments.read(HEAD + "\"replicas\":[" + REPLICA + "],\"applied\":1000}"));
        assertEquals(0, StatusDocuments.read(HEAD + "\"replicas\":[" + REPLICA + "]}").applied(),
            "a document of a primary before the applied offset still reads");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // the fuzzer's: one whole object, then the rest of a document; the fields it lacked came back null
        "{\"head\":1000,\"oldest\":100,\"historyId\":\"0123456789abcdef\",\"epoch\":2,\"acks\":63720},{\"id\":\"r2\"}]}",
        "{\"head\":1000,\"oldest\":100,\"historyId\":\"0123456789abcdef\",\"epoch\":2}",
        HEAD + "\"replicas\":[" + REPLICA + "]} {}",
        HEAD + "\"replicas\":null}",
        HEAD + "\"replicas\":[null]}",
        HEAD + "\"replicas\":[{\"remote\":\"10.0.0.7:1\",\"state\":\"STREAMING\"}]}",
        HEAD + "\"replicas\":[{\"id\":\"r1\",\"remote\":\"10.0.0.7:1\",\"state\":null}]}",
        "{\"head\":1000,\"historyId\":null,\"sync\":\"batch\",\"replicas\":[]}",
    })
    void shouldRefuseADocumentWithAFieldMissingOrTrailingContent(final String document)
    {
        final FerryException ex = assertThrows(FerryException.class, () -> StatusDocuments.read(document));
        assertEquals(ErrorCode.PROTOCOL, ex.code(), ex.getMessage());
    }
}

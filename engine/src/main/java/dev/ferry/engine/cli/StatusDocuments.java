package dev.ferry.engine.cli;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.util.List;

/**
 * Reads a status document ({@link dev.ferry.engine.status.StatusJson}) back into a {@link PrimaryStatus}, with Jackson:
 * the command line's library, optional for applications that embed Ferry.
 * <p>
 * The document comes from whatever answers on the primary's port, so it is read as hostile: one document and nothing
 * after it, every string and list of the records present and not null (a missing one used to come back null and fail
 * {@code ferry status} with a NullPointerException: found by {@code StatusDocumentFuzzTest}). Unknown fields are
 * ignored and missing numbers read as 0, so a newer or older primary's document still reads.
 */
public final class StatusDocuments
{
    private static final ObjectMapper MAPPER = newMapper();

    private StatusDocuments()
    {
    }

    private static ObjectMapper newMapper()
    {
        final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES, true);
        mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
        return mapper;
    }

    /**
     * @param json a STATUS_RESPONSE body.
     * @return the status.
     * @throws FerryException PROTOCOL if it is not a status document.
     */
    public static PrimaryStatus read(final String json)
    {
        try
        {
            final com.fasterxml.jackson.databind.JsonNode tree = MAPPER.readTree(json);
            if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode object))
            {
                throw new FerryException(ErrorCode.PROTOCOL, "malformed status document: not a JSON object");
            }
            // a primary's (and an older node's) document has no upstream: "" here, so that a missing string is
            // still refused everywhere else
            if (!object.hasNonNull("role"))
            {
                object.put("role", PrimaryStatus.PRIMARY);
            }
            if (!object.hasNonNull("upstream"))
            {
                object.put("upstream", "");
            }
            return MAPPER.treeToValue(tree, PrimaryStatus.class);
        }
        catch (final JsonProcessingException ex)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "malformed status document: " + ex.getOriginalMessage(), ex);
        }
    }
}

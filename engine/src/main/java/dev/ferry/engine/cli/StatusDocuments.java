package dev.ferry.engine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

/**
 * Reads a status document ({@link dev.ferry.engine.status.StatusJson}) back into a {@link PrimaryStatus}, with Jackson:
 * the command line's library, optional for applications that embed Ferry.
 */
public final class StatusDocuments
{
    private static final ObjectMapper MAPPER = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private StatusDocuments()
    {
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
            return MAPPER.readValue(json, PrimaryStatus.class);
        }
        catch (final JsonProcessingException ex)
        {
            throw new FerryException(ErrorCode.PROTOCOL, "malformed status document: " + ex.getOriginalMessage(), ex);
        }
    }
}

package dev.ferry.engine.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.PrimaryStatus;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

/**
 * {@link PrimaryStatus} to and from JSON (Jackson), as carried by STATUS_RESPONSE and printed by
 * {@code ferry status --json}.
 */
public final class StatusJson
{
    private static final ObjectMapper MAPPER = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private StatusJson()
    {
    }

    /**
     * @param status a status.
     * @return one JSON document.
     */
    public static String write(final PrimaryStatus status)
    {
        try
        {
            return MAPPER.writeValueAsString(status);
        }
        catch (final JsonProcessingException ex)
        {
            throw new FerryException(ErrorCode.INTERNAL, "cannot write status as JSON: " + ex.getMessage(), ex);
        }
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

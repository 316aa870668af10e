package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.FlashCopyGroup;

/** The FlashCopy group calls of an agent (Copy mode, one point in time for all pairs), by endpoint. */
public interface GroupClient {
    FlashCopyGroup getGroup(String endpoint, String name) throws AgentException;

    FlashCopyGroup createGroup(String endpoint, String name, CopyOptions options) throws AgentException;

    /** The pair stays Defined until the next flash. */
    FlashCopyGroup addPair(String endpoint, String group, String source, String target) throws AgentException;

    FlashCopyGroup removePair(String endpoint, String group, String source, String target) throws AgentException;

    /** Every pair at one new point in time; refused as a whole, changing nothing, when one pair cannot be flashed. */
    FlashCopyGroup flashGroup(String endpoint, String name) throws AgentException;

    /** Withdraws every relationship; refused while a background copy is incomplete unless forced. */
    FlashCopyGroup terminateGroup(String endpoint, String name, boolean force) throws AgentException;

    /** Deletes a Defined group. */
    void deleteGroup(String endpoint, String name) throws AgentException;
}

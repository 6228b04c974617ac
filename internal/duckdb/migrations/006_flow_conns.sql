-- VPC flow records summed per hour, instance, local and remote address,
-- local and remote port, protocol, direction and action: the rows the VPC
-- flow details list (flows keep only the service port). Each row is
-- written once per side it is looked up by: side 0 under the instance's
-- key, 1 under the local address's, 2 under the remote address's; peer_key
-- is the other side (for side 2 the instance, or the local address when
-- the record names no instance; 0 when the record has no such side).
-- Ports are as the record's local side sees them whatever the side;
-- egress means the bytes flow from the local side to the remote one;
-- action is as logged ('' when absent). first_start and
-- last_end are epoch seconds (last_end 0 when no record had an end).
-- Optimize keeps each day's rows in (side, key) order, so one entity's
-- rows are a few row groups a day.
CREATE TABLE flow_conns (
    hour        TIMESTAMP NOT NULL,
    side        TINYINT NOT NULL,
    key         BIGINT NOT NULL,
    peer_key    BIGINT NOT NULL,
    local_port  INTEGER NOT NULL,
    remote_port INTEGER NOT NULL,
    protocol    INTEGER NOT NULL,
    egress      BOOLEAN NOT NULL,
    action      VARCHAR NOT NULL,
    bytes       BIGINT NOT NULL,
    packets     BIGINT NOT NULL,
    records     BIGINT NOT NULL,
    first_start BIGINT NOT NULL,
    last_end    BIGINT NOT NULL,
    batch_id    BIGINT NOT NULL
);

-- Flows ingested before this table existed have no rows in it: the
-- objects up to this one, except those `trailhound backfill` has added
-- since (flow_conns_backfilled). Readers use the flow records of the
-- archive for windows that hold flows of the others.
INSERT INTO store_state
SELECT 'flow_conns.missing_through_object', coalesce(max(object_id), 0) FROM flows;

CREATE TABLE flow_conns_backfilled (
    object_id BIGINT NOT NULL PRIMARY KEY
);

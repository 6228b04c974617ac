-- The instances whose interfaces logged each local address, per hour:
-- their flows' bytes and first and last times. An address's resource
-- interaction reads the instances that used it here instead of a scan of
-- the window's flows (kept in far-side order, which a look-up by local
-- address cannot narrow). Written with every batch.
CREATE TABLE flow_instances (
    hour         TIMESTAMP NOT NULL,
    local_key    BIGINT NOT NULL,
    instance_key BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    first_start  TIMESTAMP,
    last_end     TIMESTAMP,
    batch_id     BIGINT NOT NULL
);

INSERT INTO flow_instances
SELECT hour, local_key, instance_key, sum(bytes), min(first_start), max(last_end), batch_id
FROM flows WHERE local_key <> 0 AND instance_key <> 0 AND hour IS NOT NULL GROUP BY hour, local_key, instance_key, batch_id
ORDER BY local_key, hour;

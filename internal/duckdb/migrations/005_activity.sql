-- CloudTrail events counted per hour and combination of the entities they
-- are attributed to, written with every batch of events (duckdb
-- writer.derive) and summed on read: the panels that compare a scope with
-- its 45-day baseline read these rows for whole hours and the events table
-- only for the partial hours at the ends of a window. ip_text is the
-- source as recorded when it is not an address (ip_key = 0), '' otherwise.
CREATE TABLE activity (
    hour           TIMESTAMP NOT NULL,
    principal_key  BIGINT NOT NULL,
    role_key       BIGINT NOT NULL,
    account_key    BIGINT NOT NULL,
    ip_key         BIGINT NOT NULL,
    ua_key         BIGINT NOT NULL,
    access_key_key BIGINT NOT NULL,
    api_key        BIGINT NOT NULL,
    bucket_key     BIGINT NOT NULL,
    ip_text        VARCHAR NOT NULL,
    success        BIGINT NOT NULL,
    failure        BIGINT NOT NULL,
    first_time     TIMESTAMP NOT NULL,
    last_time      TIMESTAMP NOT NULL,
    batch_id       BIGINT NOT NULL
);

-- Events stored before this table existed.
INSERT INTO activity
SELECT date_trunc('hour', event_time), principal_key, role_key, account_key, ip_key, ua_key, access_key_key, api_key, bucket_key,
       CASE WHEN ip_key = 0 THEN coalesce(source_ip, '') ELSE '' END AS ip_text,
       count(*) FILTER (WHERE NOT failed), count(*) FILTER (WHERE failed), min(event_time), max(event_time), batch_id
FROM events
GROUP BY ALL
ORDER BY 1;

-- What each stored object holds, per account its records name (the
-- recipient account of CloudTrail events, the account of flow records and
-- findings): the records, their time span and the first region. Written
-- with every batch; the usage page and the summary's freshness read it
-- instead of the record tables.
CREATE TABLE object_accounts (
    object_id  BIGINT NOT NULL,
    source     VARCHAR NOT NULL,
    account    VARCHAR,
    region     VARCHAR,
    first_time TIMESTAMP,
    last_time  TIMESTAMP,
    records    BIGINT NOT NULL,
    batch_id   BIGINT NOT NULL
);

INSERT INTO object_accounts
SELECT object_id, 'cloudtrail', recipient_account, min(aws_region), min(event_time), max(event_time), count(*), min(batch_id)
FROM events GROUP BY object_id, recipient_account
UNION ALL
SELECT object_id, 'vpcflow', account, min(region), min(coalesce(first_start, hour)), max(coalesce(last_end, hour)), sum(records), min(batch_id)
FROM flows GROUP BY object_id, account
UNION ALL
SELECT object_id, 'guardduty', account, min(region), min(updated_at), max(updated_at), count(*), min(batch_id)
FROM findings GROUP BY object_id, account;

-- VPC flow bytes and records per hour, direction, service port, protocol
-- and action of the entity on the near side of the flows: the instance (side
-- 'instance') and the local address ('local'). Written with every batch;
-- the flow panels' baselines read them instead of the flows of 45 days.
-- (Far-side addresses are too many to be worth it: their baselines read
-- the flows.)
CREATE TABLE flow_hours (
    hour      TIMESTAMP NOT NULL,
    side      VARCHAR NOT NULL,
    key       BIGINT NOT NULL,
    direction VARCHAR NOT NULL,
    port      INTEGER NOT NULL,
    protocol  INTEGER NOT NULL,
    action    VARCHAR NOT NULL,
    bytes     BIGINT NOT NULL,
    records   BIGINT NOT NULL,
    batch_id  BIGINT NOT NULL
);

INSERT INTO flow_hours
SELECT hour, 'instance', instance_key, coalesce(direction, ''), coalesce(port, 0), coalesce(protocol, -1), coalesce(action, ''), sum(bytes), sum(records), batch_id
FROM flows WHERE instance_key <> 0 AND hour IS NOT NULL GROUP BY ALL
UNION ALL
SELECT hour, 'local', local_key, coalesce(direction, ''), coalesce(port, 0), coalesce(protocol, -1), coalesce(action, ''), sum(bytes), sum(records), batch_id
FROM flows WHERE local_key <> 0 AND hour IS NOT NULL GROUP BY ALL
ORDER BY 1;

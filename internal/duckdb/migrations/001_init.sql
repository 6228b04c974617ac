-- Objects ingested (or recognized and skipped on purpose). An object is
-- stored in the same transaction as everything it contributed, so a row
-- here means the object is complete.
CREATE TABLE objects (
    object_id   BIGINT NOT NULL,
    uri         VARCHAR NOT NULL,
    key         VARCHAR NOT NULL,
    size        BIGINT NOT NULL,
    mod_time    TIMESTAMP,
    etag        VARCHAR,
    sha256      VARCHAR NOT NULL,
    source      VARCHAR,
    status      VARCHAR NOT NULL, -- stored | skipped | duplicate
    reason      VARCHAR,
    records     BIGINT NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    batch_id    BIGINT NOT NULL
);

-- CloudTrail events, one row each, with the integer keys of the entities
-- they are attributed to (0 = none): names, ARNs, user agents and access
-- key ids are the entities' (table entities), not repeated per event. The record as delivered is in the
-- object archive: the object's content hash is in objects, and
-- record_index counts records within the object from 1.
CREATE TABLE events (
    event_id          VARCHAR NOT NULL,
    event_time        TIMESTAMP NOT NULL,
    event_source      VARCHAR,
    event_name        VARCHAR,
    event_type        VARCHAR,
    aws_region        VARCHAR,
    recipient_account VARCHAR,
    identity_type     VARCHAR,
    source_ip         VARCHAR,  -- as recorded: an address, a service name or anything else
    error_code        VARCHAR,
    read_only         BOOLEAN,
    mfa_authenticated BOOLEAN,
    login_result      VARCHAR,
    mfa_used          VARCHAR,
    failed            BOOLEAN NOT NULL,
    principal_key     BIGINT NOT NULL,
    role_key          BIGINT NOT NULL,
    account_key       BIGINT NOT NULL,
    ip_key            BIGINT NOT NULL,
    ua_key            BIGINT NOT NULL,
    access_key_key    BIGINT NOT NULL,
    api_key           BIGINT NOT NULL,
    bucket_key        BIGINT NOT NULL,
    object_id         BIGINT NOT NULL,
    record_index      INTEGER NOT NULL,
    batch_id          BIGINT NOT NULL
);

-- Relationships. Rows derived from events carry hourly success and
-- failure counts; rows established by one event carry its id (counted
-- distinct on read); links observed on many events carry neither.
CREATE TABLE edges (
    kind       VARCHAR NOT NULL,
    src        BIGINT NOT NULL,
    dst        BIGINT NOT NULL,
    hour       TIMESTAMP NOT NULL,
    success    BIGINT NOT NULL,
    failure    BIGINT NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    event_id   VARCHAR,
    batch_id   BIGINT NOT NULL
);

-- Observations of entities; one row per entity per write, merged on read.
CREATE TABLE entities (
    key        BIGINT NOT NULL,
    namespace  VARCHAR NOT NULL,
    id         VARCHAR NOT NULL,
    label      VARCHAR,
    arn        VARCHAR,
    account    VARCHAR,
    first_seen TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    batch_id   BIGINT NOT NULL
);

-- Dated attributes of entities from specific events.
CREATE TABLE facts (
    key      BIGINT NOT NULL,
    name     VARCHAR NOT NULL,
    value    VARCHAR NOT NULL,
    time     TIMESTAMP NOT NULL,
    event_id VARCHAR,
    batch_id BIGINT NOT NULL
);

-- Enrichment of each distinct IP address, looked up once.
CREATE TABLE ip_info (
    key          BIGINT NOT NULL,
    ip           VARCHAR NOT NULL,
    class        VARCHAR NOT NULL,
    country      VARCHAR,
    country_name VARCHAR,
    region       VARCHAR,
    city         VARCHAR,
    latitude     DOUBLE,
    longitude    DOUBLE,
    asn          BIGINT,
    as_org       VARCHAR
);

-- VPC flow records summed per hour, interface, local and remote address,
-- service port, protocol, direction, action and status, with the source
-- object and line range they came from.
CREATE TABLE flows (
    hour         TIMESTAMP,
    account      VARCHAR,
    interface_id VARCHAR,
    instance_id  VARCHAR,
    instance_key BIGINT NOT NULL,
    local_addr   VARCHAR,
    local_key    BIGINT NOT NULL,
    remote_addr  VARCHAR,
    remote_key   BIGINT NOT NULL,
    port         INTEGER,
    protocol     INTEGER,
    direction    VARCHAR,
    action       VARCHAR,
    log_status   VARCHAR,
    region       VARCHAR,
    vpc_id       VARCHAR,
    bytes        BIGINT NOT NULL,
    packets      BIGINT NOT NULL,
    records      BIGINT NOT NULL,
    first_start  TIMESTAMP,
    last_end     TIMESTAMP,
    object_id    BIGINT NOT NULL,
    first_line   INTEGER NOT NULL,
    last_line    INTEGER NOT NULL,
    batch_id     BIGINT NOT NULL
);

-- Every version of every GuardDuty finding; the latest updated_at wins.
CREATE TABLE findings (
    id            VARCHAR NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    created_at    TIMESTAMP,
    arn           VARCHAR,
    account       VARCHAR,
    region        VARCHAR,
    type          VARCHAR,
    title         VARCHAR,
    description   VARCHAR,
    severity      DOUBLE,
    first_seen    TIMESTAMP,
    last_seen     TIMESTAMP,
    count         BIGINT,
    archived      BOOLEAN,
    resource_type VARCHAR,
    action_type   VARCHAR,
    object_id     BIGINT NOT NULL,
    batch_id      BIGINT NOT NULL,
    raw           VARCHAR NOT NULL
);

CREATE VIEW latest_findings AS
SELECT * FROM findings
QUALIFY row_number() OVER (PARTITION BY id ORDER BY updated_at DESC) = 1;

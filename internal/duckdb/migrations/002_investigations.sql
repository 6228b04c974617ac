-- Automated investigations (internal/investigate): one row per run, with
-- the columns lists filter and sort on, and the whole result (indicators,
-- severity reasoning, next steps) as JSON once the run has finished.
CREATE TABLE investigations (
    id            VARCHAR NOT NULL PRIMARY KEY,
    entity_type   VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    entity_label  VARCHAR,
    entity_arn    VARCHAR,
    scope_start   BIGINT NOT NULL,
    scope_end     BIGINT NOT NULL,
    status        VARCHAR NOT NULL,  -- RUNNING | SUCCESSFUL | FAILED
    state         VARCHAR NOT NULL,  -- ACTIVE | ARCHIVED
    severity      VARCHAR,           -- INFORMATIONAL .. CRITICAL, once successful
    severity_rank INTEGER NOT NULL,  -- 0 (none) .. 5 (CRITICAL), for sorting
    indicators    INTEGER NOT NULL,
    tactics       VARCHAR NOT NULL,  -- ATT&CK tactics of the TTP indicators, kill-chain order, comma-separated
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    error         VARCHAR,
    result        VARCHAR           -- the investigation as JSON
);

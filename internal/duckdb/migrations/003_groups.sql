-- Finding groups (internal/groups): findings clustered into probable
-- incidents. Groups only grow; restructuring (a finding that relates to
-- several groups, an analyst's split or merge) makes new groups and
-- closes the old ones, with the lineage kept.
CREATE TABLE finding_groups (
    id         VARCHAR NOT NULL,
    status     VARCHAR NOT NULL,  -- active | inactive
    origin     VARCHAR NOT NULL,  -- grouped | bridge | merge | split
    title      VARCHAR NOT NULL,
    severity   DOUBLE NOT NULL,   -- the highest member severity
    tactics    VARCHAR NOT NULL,  -- ATT&CK tactic names in kill-chain order, comma-separated
    accounts   VARCHAR NOT NULL,  -- comma-separated
    findings   INTEGER NOT NULL,
    entities   INTEGER NOT NULL,
    principals INTEGER NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at  TIMESTAMP          -- when it became inactive
);

-- Members in the order they joined, each with why (a JSON array of
-- reasons: the member joined through, the shared entity, the time gap).
CREATE TABLE finding_group_members (
    group_id   VARCHAR NOT NULL,
    finding_id VARCHAR NOT NULL,
    position   INTEGER NOT NULL,
    joined_at  TIMESTAMP NOT NULL,
    reasons    VARCHAR NOT NULL
);

-- Parent → child links: how a group came from others.
CREATE TABLE finding_group_lineage (
    parent_id  VARCHAR NOT NULL,
    child_id   VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,  -- bridge | merge | split
    finding_id VARCHAR,           -- the bridging or the split finding
    made_at    TIMESTAMP NOT NULL
);

-- The entities each grouped finding names, with why an entity does not
-- relate findings (ignored is NULL when it does).
CREATE TABLE finding_group_named (
    finding_id  VARCHAR NOT NULL,
    entity_type VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    ignored     VARCHAR
);

-- Entities a grouped finding reaches through the behavior graph: it names
-- named_*, which relation links to entity_* (observed from seen_at).
CREATE TABLE finding_group_related (
    finding_id  VARCHAR NOT NULL,
    entity_type VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    named_type  VARCHAR NOT NULL,
    named_id    VARCHAR NOT NULL,
    relation    VARCHAR NOT NULL,
    seen_at     TIMESTAMP NOT NULL
);

-- Analysts' decisions, obeyed by every later update and rebuild: two
-- findings kept apart (split) or together (merged).
CREATE TABLE finding_group_constraints (
    kind       VARCHAR NOT NULL,  -- apart | together
    finding_a  VARCHAR NOT NULL,
    finding_b  VARCHAR NOT NULL,
    who        VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL
);

-- The audit log of analysts' edits.
CREATE TABLE finding_group_edits (
    seq        BIGINT NOT NULL,
    edited_at  TIMESTAMP NOT NULL,
    who        VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,  -- split | merge | rebuild
    group_id   VARCHAR,
    other_id   VARCHAR,
    finding_id VARCHAR,
    results    VARCHAR NOT NULL,  -- ids of the groups made, comma-separated
    text       VARCHAR NOT NULL
);

-- Progress of incremental grouping: the last findings batch placed.
CREATE TABLE finding_group_state (
    name  VARCHAR NOT NULL,
    value BIGINT NOT NULL
);

-- The connection rows of the busiest entities summed per day, for the VPC
-- flow details of long windows (see buildFlowConnDays). A busy address's
-- week holds half a million distinct rows: grouping them all for the
-- thousand a view shows took most of its time. Each day's rows are
-- ranked by inbound bytes, so the top rows of a window can be found from
-- the top of each day's (a threshold algorithm), and each row knows the
-- previous day its connection occurred on, so the rows of a window can be
-- counted without grouping them (a row counts where its previous day is
-- before the window).
--
-- day is days since 1970-01-01 (UTC); side and key as in flow_conns (0
-- the instance, 1 the local address; the remote side is not kept);
-- ports, protocol and direction (din: the peer connected to the entity)
-- as the details rows have them; the sums as the details rows name them
-- (inbound and outbound bytes and packets, accepted and rejected records,
-- records, first start, last end). rk is the row's rank by inbound bytes
-- among the day's rows with a peer (null for rows without one); prev is
-- the previous day the same row occurs on, null for its first; rid
-- numbers the entity's distinct rows (the same on every day), so that
-- they are matched and summed by one integer.
CREATE TABLE flow_conn_days (
    day      INTEGER NOT NULL,
    side     TINYINT NOT NULL,
    key      BIGINT NOT NULL,
    peer_key BIGINT NOT NULL,
    lp       INTEGER NOT NULL,
    rp       INTEGER NOT NULL,
    protocol INTEGER NOT NULL,
    din      BOOLEAN NOT NULL,
    ib       BIGINT NOT NULL,
    ob       BIGINT NOT NULL,
    ip       BIGINT NOT NULL,
    op       BIGINT NOT NULL,
    acc      BIGINT NOT NULL,
    rej      BIGINT NOT NULL,
    rec      BIGINT NOT NULL,
    fs       BIGINT NOT NULL,
    le       BIGINT NOT NULL,
    rk       INTEGER,
    prev     INTEGER,
    rid      INTEGER NOT NULL
);

-- The entities whose days the table holds: those with a day of at least
-- a threshold of connection rows (every day of them, once one is).
CREATE TABLE flow_conn_heavy (
    side TINYINT NOT NULL,
    key  BIGINT NOT NULL,
    PRIMARY KEY (side, key)
);

-- Days whose connection rows changed since the table was last brought up
-- to date (by ingest, backfill or prune). Readers use it for no window
-- that touches one of them or a day next to it.
CREATE TABLE flow_conn_dirty (
    day INTEGER NOT NULL PRIMARY KEY
);

INSERT INTO flow_conn_dirty SELECT DISTINCT (epoch_ms(hour) // 86400000)::INTEGER FROM flow_conns;

-- Counters the store keeps about its own layout: how many rows of a table
-- were in key order when it was last rewritten (duckdb.Store.Optimize).
CREATE TABLE store_state (
    name  VARCHAR NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
);

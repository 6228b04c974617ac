package analysis

// Dialect is the store-specific part of the analysis SQL. Every query is
// written against the same tables in portable SQL and asks the dialect for
// the few expressions that engines spell differently. Parameters are
// always "?" placeholders: no user text is ever part of a query.
type Dialect interface {
	// Name identifies the engine, for logs and errors.
	Name() string
	// Timestamp returns an expression that turns the epoch-seconds integer
	// bound to the placeholder into a timestamp comparable with the
	// stored time columns (which hold UTC without a zone).
	Timestamp() string
	// EpochSeconds returns an expression for the whole epoch seconds of
	// the time column col.
	EpochSeconds(col string) string
	// ILike returns a case-insensitive LIKE of expr against the pattern
	// bound to the placeholder, with backslash as the escape character.
	ILike(expr string) string
	// Like is LIKE with the same escape character, case-sensitive.
	Like(expr string) string
}

// DuckDB is the Dialect of the embedded DuckDB store.
type DuckDB struct{}

// Name implements Dialect.
func (DuckDB) Name() string { return "duckdb" }

// Timestamp implements Dialect. make_timestamp takes microseconds and
// yields a zone-less TIMESTAMP, so no session time zone can shift it.
func (DuckDB) Timestamp() string { return "make_timestamp(CAST(? AS BIGINT) * 1000000)" }

// EpochSeconds implements Dialect. epoch_ms is exact integer arithmetic,
// where epoch() returns a double.
func (DuckDB) EpochSeconds(col string) string { return "(epoch_ms(" + col + ") // 1000)" }

// ILike implements Dialect.
func (DuckDB) ILike(expr string) string { return expr + ` ILIKE ? ESCAPE '\'` }

// Like implements Dialect.
func (DuckDB) Like(expr string) string { return expr + ` LIKE ? ESCAPE '\'` }

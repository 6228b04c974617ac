// Package groups clusters findings into finding groups: the findings,
// entities and evidence of one probable incident, as Amazon Detective's
// finding groups do, but explained. Two findings are related when they
// name the same entity (a role session, user, access key, instance,
// external address, bucket...) or entities the behavior graph links (a
// user and the instance it launched), and were observed close in time —
// closer than Options.Window, or within Options.ChainWindow when their
// MITRE ATT&CK tactics follow each other in kill-chain order. Entities so
// common that they would link everything (the account, AWS service
// principals, private addresses, shared egress addresses, internet
// scanners, entities named by very many findings) are not used, and each
// group lists them with the reason.
//
// Every member records why it joined: the finding it joined through, the
// shared entity and the time between the two. Groups only grow: when a
// finding relates to several groups, a child group takes all their
// members and the parents become inactive, with the lineage kept; an
// analyst's split or merge likewise makes new groups. Analyst edits are
// kept as constraints (these findings apart, those together) that every
// later update and a full rebuild obey, and each edit is audited.
//
// Grouping is incremental: Update looks at the finding versions stored
// since its last run and places only those findings. The ingest command
// calls it after each run and serve polls for new findings. State lives
// in the store's tables (migration 003_groups.sql), so the package sits
// beside the analysis engine: it reads the behavior graph and answers the
// API's group endpoints.
package groups

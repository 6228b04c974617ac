// Package synth generates the logs of a synthetic AWS organization exactly
// as AWS delivers them to S3, with attacks hidden in them and a record of
// the truth. It feeds Trailhound's first run (the demo), its tests, its
// benchmarks at scale, and the measure of whether an investigation in the
// console leads an analyst to what really happened.
//
// # What it writes
//
// Generate writes, for the configured span:
//
//   - CloudTrail: an organization trail's files,
//     AWSLogs/<o-org>/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz,
//     one per account, region and five-minute delivery window (busy windows
//     split into several), each {"Records":[...]} with management events and
//     S3 and Lambda data events.
//   - VPC Flow Logs: AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz,
//     in a version-5 custom format with a header line.
//   - GuardDuty findings exported by the delegated administrator (the
//     security account): AWSLogs/<security account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz,
//     one finding per line, the same id exported again when it is updated.
//   - truth.json: the organization and, for every staged attack, its
//     window, malicious entities, event ids, findings and MITRE ATT&CK
//     tactics (see Truth).
//
// # How it works
//
// A world is built once from the seed: an organization of accounts and
// regions, VPCs and instances, buckets and other resources, IAM users and
// roles, people (in offices with time zones, working hours and Identity
// Center access), and machine actors (instances, functions, CI, AWS
// services, a monitoring vendor, a security scanner), each with a
// heavy-tailed API mix and fixed addresses and user agents. Scenarios are
// scripted into it up front; they are small.
//
// Then, day by day, a planner lays out sessions: a person's console or CLI
// session through Identity Center, an instance's six-hour credentials, a CI
// run assuming a deploy role in another account. Events are drawn per
// session and five-minute window from generators seeded by the session and
// the window, so any worker can write any file and get the same bytes, and
// the output does not depend on scheduling. A bounded pool of workers
// writes accounts' files for a day while the next day is planned; memory
// does not grow with the span. Records are appended as JSON by hand from
// pre-rendered identities and compiled templates, and compressed with a
// fast gzip level and no header timestamp.
//
// Public addresses are fixed ones from real networks (office ISPs in
// distinct countries, CI and hosting providers, scanners, Tor relays), and
// geolocation in findings matches public data for them, so enrichment tells
// the same story as the findings.
package synth

package cloudtrail

import (
	"bytes"
	stdjson "encoding/json"
	"strings"

	"github.com/trailhound/trailhound/internal/source"
)

// Detect reports source.Key when the key follows CloudTrail's S3 layout (a
// CloudTrail, CloudTrail-Insight or CloudTrail-Digest folder, or a file
// named like 111122223333_CloudTrail_us-east-1_...), source.Content when
// the first bytes look like one of the shapes Decode reads, and source.No
// otherwise. The head may end anywhere, even inside a string: Detect
// decides from the members it has seen.
func (Decoder) Detect(key string, head []byte) source.Confidence {
	if isCloudTrailKey(key) {
		return source.Key
	}
	if looksLikeCloudTrail(head) {
		return source.Content
	}
	return source.No
}

// CloudTrail's S3 layout: AWSLogs/[o-orgid/]<account>/<folder>/<region>/
// YYYY/MM/DD/<account>_<folder>_<region>_..., where folder is one of these.
const (
	folderLogs    = "CloudTrail"
	folderInsight = "CloudTrail-Insight"
	folderDigest  = "CloudTrail-Digest"
)

// isCloudTrailKey reports whether key names a CloudTrail log, Insights or
// digest file by its folder or its file name.
func isCloudTrailKey(key string) bool {
	return keyHas(key, folderLogs) || keyHas(key, folderInsight) || keyHas(key, folderDigest)
}

// isDigestKey reports whether key names a CloudTrail digest file.
func isDigestKey(key string) bool { return keyHas(key, folderDigest) }

// keyHas reports whether key has folder as a directory, or a base name
// with _folder_ in it. Backslashes count as separators, for local paths.
func keyHas(key, folder string) bool {
	key = strings.ReplaceAll(key, `\`, "/")
	dir, base := "", key
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		dir, base = key[:i], key[i+1:]
	}
	if strings.Contains(base, "_"+folder+"_") {
		return true
	}
	for dir != "" {
		seg := dir
		if i := strings.IndexByte(dir, '/'); i >= 0 {
			seg, dir = dir[:i], dir[i+1:]
		} else {
			dir = ""
		}
		if seg == folder {
			return true
		}
	}
	return false
}

// looksLikeCloudTrail inspects the first object of head (or the first
// element of a leading array).
func looksLikeCloudTrail(head []byte) bool {
	b := bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	i := skipSpaceIn(b, 0)
	if i < len(b) && b[i] == '[' {
		i = skipSpaceIn(b, i+1)
	}
	if i >= len(b) || b[i] != '{' {
		return false
	}
	return objectLooksLikeCloudTrail(b, i)
}

// objectLooksLikeCloudTrail decides from the members of the object at b[i]
// that head holds: a Records or Events envelope of CloudTrail records, an
// EventBridge event of a CloudTrail detail-type, a digest, or a record
// (two or more of its characteristic members). Members that are typical of
// GuardDuty findings, and records of S3, SNS or SQS event notifications
// (eventSource "aws:..."), which share CloudTrail's member names, rule it
// out.
func objectLooksLikeCloudTrail(b []byte, i int) bool {
	recordKeys, findingKeys := 0, 0
	i++
	for {
		i = skipSpaceIn(b, i)
		if i >= len(b) || b[i] == '}' {
			break
		}
		if b[i] != '"' {
			return false
		}
		j, st := skipString(b, i)
		if st != scanOK {
			break
		}
		key := b[i+1 : j-1]
		i = skipSpaceIn(b, j)
		if i >= len(b) {
			break
		}
		if b[i] != ':' {
			return false
		}
		if i = skipSpaceIn(b, i+1); i >= len(b) {
			break
		}
		switch memberBit(key) {
		case hasRecords:
			// S3 and SNS notifications share the envelope: look at the
			// first record when it is there.
			return b[i] == '[' && firstElementIsCloudTrail(b, i, false)
		case hasEvents:
			return b[i] == '[' && firstElementIsCloudTrail(b, i, true)
		case hasDetailType:
			dt, ok := stringAt(b, i)
			return ok && strings.HasSuffix(dt, "via CloudTrail")
		case hasDigest:
			return true
		case hasFindingKey:
			findingKeys++
		case hasRecordKey:
			if eqFold(key, "eventSource") && bytes.HasPrefix(b[i:], []byte(`"aws:`)) {
				return false
			}
			recordKeys++
		}
		j, st = skipValue(b, i)
		if st != scanOK {
			break
		}
		i = skipSpaceIn(b, j)
		if i >= len(b) {
			break
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return recordKeys >= 2 && findingKeys < 2
		default:
			return false
		}
	}
	return recordKeys >= 2 && findingKeys < 2
}

// firstElementIsCloudTrail looks at the first element of the array at b[i].
// An empty array, or one whose first element the head does not reach,
// counts as CloudTrail: the envelope's name already says so. For Events,
// elements must be lookup-events entries.
func firstElementIsCloudTrail(b []byte, i int, lookup bool) bool {
	i = skipSpaceIn(b, i+1)
	if i >= len(b) || b[i] == ']' {
		return true
	}
	if b[i] != '{' {
		return false
	}
	i++
	for {
		i = skipSpaceIn(b, i)
		if i >= len(b) || b[i] != '"' {
			return true
		}
		j, st := skipString(b, i)
		if st != scanOK {
			return true
		}
		key := b[i+1 : j-1]
		i = skipSpaceIn(b, j)
		if i >= len(b) || b[i] != ':' {
			return true
		}
		if i = skipSpaceIn(b, i+1); i >= len(b) {
			return true
		}
		switch {
		case lookup && (eqFold(key, "CloudTrailEvent") || eqFold(key, "EventId")):
			return true
		case !lookup && eqFold(key, "eventSource"):
			return !bytes.HasPrefix(b[i:], []byte(`"aws:`))
		}
		j, st = skipValue(b, i)
		if st != scanOK {
			return true
		}
		i = skipSpaceIn(b, j)
		if i >= len(b) || b[i] != ',' {
			return !lookup
		}
		i++
	}
}

// stringAt decodes the JSON string at b[i], if it is complete.
func stringAt(b []byte, i int) (string, bool) {
	if b[i] != '"' {
		return "", false
	}
	j, st := skipString(b, i)
	if st != scanOK {
		return "", false
	}
	var s string
	if stdjson.Unmarshal(b[i:j], &s) != nil {
		return "", false
	}
	return s, true
}

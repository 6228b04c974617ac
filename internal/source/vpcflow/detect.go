package vpcflow

import (
	"bytes"
	"strings"
)

// keyClass is what an object key says about a flow log object.
type keyClass int

const (
	keyOther   keyClass = iota // not a flow log key, or an unknown file type under one
	keyText                    // a plain-text flow log delivered to S3
	keyParquet                 // a Parquet flow log, which this decoder does not read
)

// classifyKey matches the S3 layout of flow log deliveries:
// [prefix/]AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<name>.log, or
// its Hive-compatible form with aws-account-id= and aws-service= segments.
// Transit gateway flow logs are delivered under the same service name.
func classifyKey(key string) keyClass {
	if strings.IndexByte(key, '\\') >= 0 {
		key = strings.ReplaceAll(key, `\`, "/")
	}
	if !strings.Contains(key, "vpcflowlogs") {
		return keyOther
	}
	segs := strings.Split(key, "/")
	for i := 0; i+3 < len(segs); i++ {
		if segs[i] != "AWSLogs" {
			continue
		}
		account := strings.TrimPrefix(segs[i+1], "aws-account-id=")
		service := strings.TrimPrefix(segs[i+2], "aws-service=")
		if account == "" || service != "vpcflowlogs" {
			continue
		}
		name := segs[len(segs)-1]
		switch {
		case strings.HasSuffix(name, ".log"):
			return keyText
		case strings.HasSuffix(name, ".parquet"):
			return keyParquet
		}
		return keyOther
	}
	return keyOther
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// looksLikeFlowLog decides from the first non-blank line of head.
func looksLikeFlowLog(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = trimEOL(line)
		if len(bytes.Trim(line, " \t")) == 0 {
			continue
		}
		return looksLikeFlowLine(line, true)
	}
	return false
}

// looksLikeFlowLine reports whether line is a flow log header, a record
// in one of the AWS default orders, or (when allowJSON) a delivery
// envelope holding one of those.
func looksLikeFlowLine(line []byte, allowJSON bool) bool {
	line = bytes.Trim(line, " \t")
	if len(line) == 0 {
		return false
	}
	if line[0] == '{' {
		if !allowJSON {
			return false
		}
		var env envelope
		if unmarshal(line, &env) != nil || env.Message == nil {
			return false
		}
		return looksLikeFlowLine([]byte(strings.TrimRight(*env.Message, "\r\n")), false)
	}
	if scanFlags(line)&clsCtl != 0 {
		return false
	}
	if isHeaderLine(line) {
		if _, reason := parseHeader(line); reason == "" {
			return true
		}
		// A header with an unknown name is still a flow log header when
		// most of it is known: claim it, so that Decode can say which
		// name is wrong.
		return knownNames(line) >= 3
	}
	s := &decodeState{}
	n, _ := split(line, s.cols[:])
	lay := defaultLayouts[n]
	if lay == nil || s.fill(line, lay) != nil {
		return false
	}
	switch s.flow.LogStatus {
	case "OK", "NODATA", "SKIPDATA":
	default:
		return false
	}
	switch s.flow.Action {
	case "ACCEPT", "REJECT", "":
		return true
	}
	return false
}

// knownNames counts the tokens of line that are field names.
func knownNames(line []byte) int {
	n := 0
	for _, tok := range bytes.Fields(line) {
		if _, ok := fieldByName[string(tok)]; ok {
			n++
		}
	}
	return n
}

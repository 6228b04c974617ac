package synth

import (
	"strconv"
)

// The generator writes JSON by appending to byte slices: records are built
// from pre-rendered fragments (identities, templates) and a few dynamic
// values, which is an order of magnitude faster than reflection and makes
// the key order match what AWS writes.

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			continue
		}
		if c >= 0x7f {
			continue // UTF-8 passes through; JSON allows it unescaped
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// civil splits a Unix time in seconds into UTC date and clock fields
// without going through time.Time, which is measurable at millions of
// records per second.
func civil(sec int64) (y, mo, d, h, mi, s int) {
	days := sec / 86400
	rem := sec - days*86400
	if rem < 0 {
		rem += 86400
		days--
	}
	h, mi, s = int(rem/3600), int(rem/60%60), int(rem%60)
	// Howard Hinnant's days-from-civil inverse.
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		mo = int(mp + 3)
	} else {
		mo = int(mp - 9)
	}
	if mo <= 2 {
		yy++
	}
	return int(yy), mo, d, h, mi, s
}

// appendRFC3339 appends "2006-01-02T15:04:05Z" for a Unix time in seconds.
func appendRFC3339(b []byte, sec int64) []byte {
	y, mo, d, h, mi, s := civil(sec)
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, mo)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	return append(b, 'Z')
}

// appendRFC3339Milli appends "2006-01-02T15:04:05.000Z" for a Unix time in
// milliseconds, the form GuardDuty uses.
func appendRFC3339Milli(b []byte, ms int64) []byte {
	sec := ms / 1000
	b = appendRFC3339(b, sec)
	b = b[:len(b)-1]
	frac := int(ms - sec*1000)
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return append(b, 'Z')
}

var monthAbbr = [...]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendJavaDate appends the "Jan 2, 2006, 3:04:05 PM" form that IAM and
// STS use for dates inside responseElements.
func appendJavaDate(b []byte, sec int64) []byte {
	y, mo, d, h, mi, s := civil(sec)
	b = append(b, monthAbbr[mo]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, ", "...)
	b = append4(b, y)
	b = append(b, ", "...)
	h12, pm := h%12, h >= 12
	if h12 == 0 {
		h12 = 12
	}
	b = strconv.AppendInt(b, int64(h12), 10)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	if pm {
		return append(b, " PM"...)
	}
	return append(b, " AM"...)
}

// appendCompactStamp appends "20060102T1504Z", the timestamp of AWS log
// object names.
func appendCompactStamp(b []byte, sec int64) []byte {
	y, mo, d, h, mi, _ := civil(sec)
	b = append4(b, y)
	b = append2(b, mo)
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append2(b, mi)
	return append(b, 'Z')
}

// appendDatePath appends "2006/01/02".
func appendDatePath(b []byte, sec int64) []byte {
	y, mo, d, _, _, _ := civil(sec)
	b = append4(b, y)
	b = append(b, '/')
	b = append2(b, mo)
	b = append(b, '/')
	return append2(b, d)
}

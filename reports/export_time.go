package reports

import (
	"math"
	"time"
)

// zoneClock converts instants to the tenant's wall clock. Exports hold millions of instants that
// mostly share a few zone periods (between DST changes), so it remembers the current period's
// offset and bounds instead of asking the time package for every value.
type zoneClock struct {
	loc        *time.Location
	start, end int64 // Unix seconds where off applies, end exclusive
	off        int64
}

func newZoneClock(loc *time.Location) *zoneClock {
	return &zoneClock{loc: loc, start: 1, end: 0} // empty range: the first lookup fills it
}

// offset is loc's UTC offset in seconds at the instant.
func (z *zoneClock) offset(unix int64) int64 {
	if unix >= z.start && unix < z.end {
		return z.off
	}
	t := time.Unix(unix, 0).In(z.loc)
	_, off := t.Zone()
	s, e := t.ZoneBounds()
	z.off, z.start, z.end = int64(off), math.MinInt64, math.MaxInt64
	if !s.IsZero() {
		z.start = s.Unix()
	}
	if !e.IsZero() {
		z.end = e.Unix()
	}
	return z.off
}

// local is the instant's wall-clock time as seconds since 1970-01-01 00:00 "local epoch".
func (z *zoneClock) local(unix int64) int64 { return unix + z.offset(unix) }

// appendRFC3339 appends the instant as time.RFC3339 in the zone, e.g. 2026-03-08T03:30:00-04:00
// (Z for a zero offset), exactly as time.Time.Format would.
func (z *zoneClock) appendRFC3339(b []byte, unix int64) []byte {
	off := z.offset(unix)
	days, secs := divFloor(unix+off, 86400)
	y, m, d := civil(days)
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, m, 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, secs/3600, 2)
	b = append(b, ':')
	b = appendDigits(b, secs/60%60, 2)
	b = append(b, ':')
	b = appendDigits(b, secs%60, 2)
	if off == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	b = append(b, sign)
	b = appendDigits(b, off/3600, 2)
	b = append(b, ':')
	return appendDigits(b, off/60%60, 2)
}

// serial is the Excel serial number of the instant's wall-clock time (Excel dates have no zone).
func (z *zoneClock) serial(unix int64) float64 {
	days, secs := divFloor(z.local(unix), 86400)
	return float64(days+excelEpochDays) + float64(secs)/86400
}

func divFloor(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}

// civil turns days since 1970-01-01 into a proleptic Gregorian date (H. Hinnant's algorithm).
func civil(days int64) (y, m, d int64) {
	days += 719468
	era, _ := divFloor(days, 146097)
	doe := days - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendDigits appends n (0 <= n) zero-padded to width digits.
func appendDigits(b []byte, n int64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n >= 10 || width > 1 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	i--
	tmp[i] = byte('0' + n)
	return append(b, tmp[i:]...)
}

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
	// The texts appendRFC3339 last wrote for two days: the date ("2026-03-08T") and the offset
	// ("-04:00"). An export's instants mostly fall on a day of the row before, though not all on
	// one: an appointment's start and end share its day, its booking instant has another, so a
	// single day would be written again twice a row. days[last] is the one used last.
	days [2]dayText
	last int
}

// dayText is the text of a local date and UTC offset, as appendRFC3339 writes them.
type dayText struct {
	day, off int64
	date     []byte
	offText  []byte
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
	d := &z.days[z.last]
	if d.date == nil || d.day != days || d.off != off {
		z.last = 1 - z.last // the other day, which becomes the last used
		d = &z.days[z.last]
		if d.date == nil || d.day != days || d.off != off {
			d.day, d.off = days, off
			d.date = appendDate(d.date[:0], days)
			d.offText = appendOffset(d.offText[:0], off)
		}
	}
	b = append(b, d.date...)
	h, ms := secs/3600, secs%3600
	b = append(b, twoDigits[2*h], twoDigits[2*h+1], ':', twoDigits[2*(ms/60)], twoDigits[2*(ms/60)+1], ':',
		twoDigits[2*(ms%60)], twoDigits[2*(ms%60)+1])
	return append(b, d.offText...)
}

// twoDigits is "00" to "99": the clock's hours, minutes and seconds without a division loop.
const twoDigits = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// appendDate appends the local date of days since 1970-01-01 and the T: 2026-03-08T.
func appendDate(b []byte, days int64) []byte {
	y, m, d := civil(days)
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, m, 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	return append(b, 'T')
}

// appendOffset appends a UTC offset in seconds as RFC 3339 does: Z, or ±hh:mm.
func appendOffset(b []byte, off int64) []byte {
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

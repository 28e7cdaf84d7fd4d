package data

import "strconv"

// Thousands formats n with a comma between groups of three digits: 1234567 is "1,234,567" and
// -1234 is "-1,234". Every count Almanac shows a person goes through it.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := len(s)
	if n < 0 {
		digits--
	}
	if digits <= 3 {
		return s
	}
	b := make([]byte, 0, len(s)+(digits-1)/3)
	if n < 0 {
		b, s = append(b, '-'), s[1:]
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

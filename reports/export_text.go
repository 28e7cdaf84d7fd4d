package reports

import (
	"strings"
	"unicode/utf8"
)

// neutralize stops a spreadsheet from running a text cell as a formula (OWASP "CSV injection"):
// a cell that formulaLike accepts gets a leading apostrophe. Only CSV text goes through here;
// numeric columns are written as numbers (-5 stays -5), JSON is data for programs, and XLSX
// text cells are typed strings that a spreadsheet never evaluates.
func neutralize(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// formulaLike reports whether a spreadsheet could run s: its first character after spaces and
// invisible characters is = + - @ (or their fullwidth forms, which Excel folds), a tab or a
// carriage return, and s is not made only of digits, spaces and + - ( ) . , (a phone number or
// a signed amount, which can call no function and reach no link).
func formulaLike(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // ASCII, most text: no decoding
			switch c {
			case ' ':
				i++
				continue
			case '=', '+', '-', '@', '\t', '\r':
				return !plainNumberish(s)
			}
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isInvisibleLead(r):
			i += size
			continue
		case isFormulaStart(r):
			return !plainNumberish(s)
		}
		return false
	}
	return false
}

// isInvisibleLead is a character a spreadsheet skips or shows as nothing before a formula sign.
func isInvisibleLead(r rune) bool {
	switch r {
	case ' ', '\u00A0', '\u2007', '\u202F', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return false
}

func isFormulaStart(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// plainNumberish reports whether s holds only ASCII digits, spaces and + - ( ) . ,
func plainNumberish(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && !strings.ContainsRune(" +-().,", rune(c)) {
			return false
		}
	}
	return true
}

// cleanText drops control characters from exported text: C0 controls other than tab, line feed
// and carriage return, DEL, and C1 controls (U+0080 to U+009F), which a terminal or an
// importer would act on (a NUL ends a C string, ESC starts a terminal command). Invalid UTF-8
// becomes U+FFFD, as in the JSON encoder. Clean text is returned as it is, without copying.
func cleanText(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F {
				return cleanFrom(s, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isC1(r) {
			return cleanFrom(s, i)
		}
		i += size
	}
	return s
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9F }

// cleanFrom rebuilds s from byte i on, which holds the first character to drop.
func cleanFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7F, isC1(r):
			continue
		}
		b.WriteRune(r) // an invalid byte decodes as U+FFFD
	}
	return b.String()
}

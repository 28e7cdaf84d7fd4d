package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// termSafe makes text that came from a server, a license or a file safe to print on a terminal:
// control characters (C0 including tab, CR and LF, DEL, C1), the bidirectional overrides that
// reorder what is shown, and invalid UTF-8 bytes are written as visible escapes such as \x1b,
// \r or \u202e. So a tenant name cannot clear the screen or recolour it, and a licensee cannot
// fake an extra "Plan: ENTERPRISE" line. Ordinary text, accents included, is returned unchanged.
func termSafe(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, size) {
			return escapeFrom(s, i)
		}
		i += size
	}
	return s
}

func needsEscape(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// escapeFrom copies s, escaping from byte i on.
func escapeFrom(s string, i int) string {
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !needsEscape(r, size):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError || r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

package data

// ValidCurrency reports whether code is an ISO 4217-shaped currency code: exactly three ASCII
// capital letters. Go's len counts bytes, so a check on length alone lets "€" (three bytes, one
// character) through to SQLite's CHECK, and lets quotes into the XLSX number format.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

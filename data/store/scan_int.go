package store

import (
	"fmt"
	"strconv"
)

// intScan scans an integer column. database/sql stores a driver's int64 into an *int64 through
// reflection (its convertAssign has no fast path for it), which is most of a small row's scan
// cost; as an sql.Scanner it is one type switch. Like *int64 it refuses NULL and converts text
// holding an integer.
type intScan int64

// Scan stores src, an int64 as SQLite hands integers back, or an integer in text.
func (c *intScan) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*c = intScan(v)
		return nil
	case nil:
		return fmt.Errorf("converting NULL to int64 is unsupported")
	case []byte:
		return c.parse(string(v))
	case string:
		return c.parse(v)
	case float64:
		return c.parse(strconv.FormatFloat(v, 'g', -1, 64))
	default:
		return fmt.Errorf("unsupported Scan, storing driver.Value type %T into type *int64", src)
	}
}

func (c *intScan) parse(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("converting driver.Value type string (%q) to a int64: %w", s, err)
	}
	*c = intScan(n)
	return nil
}

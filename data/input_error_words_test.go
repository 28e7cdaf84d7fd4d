package data

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var wordsCases = []struct {
	e          InputError
	lib, flags string
}{
	{InputError{Field: FieldTo, Value: "2026-01-01", Problem: "is before {from} 2026-01-05", Fix: "swap the dates"},
		"to 2026-01-01 is before from 2026-01-05: swap the dates", "--to 2026-01-01 is before --from 2026-01-05: swap the dates"},
	{InputError{Field: FieldDays, Value: "a week", Problem: "is not a number"},
		`days "a week" is not a number`, `--days "a week" is not a number`},
	{InputError{Field: FieldHome, Problem: "is not given", Fix: "give {home} or set ALMANAC_HOME"},
		"home is not given: give home or set ALMANAC_HOME", "--home is not given: give --home or set ALMANAC_HOME"},
	{InputError{Field: FieldStatus, Value: "x", Problem: "has an open { brace", Fix: "{unknown} stays"},
		"status x has an open { brace: unknown stays", "--status x has an open { brace: --unknown stays"},
}

func testFlag(field string) string { return "--" + field }

func TestInputErrorWords(t *testing.T) {
	for _, c := range wordsCases {
		if got := c.e.Error(); got != c.lib {
			t.Errorf("Error() = %q, want %q", got, c.lib)
		}
		if got := c.e.Words(testFlag); got != c.flags {
			t.Errorf("Words = %q, want %q", got, c.flags)
		}
	}
	if err := error(&wordsCases[0].e); !errors.Is(err, ErrInvalid) {
		t.Error("an InputError is not ErrInvalid")
	}
}

func FuzzInputErrorWords(f *testing.F) {
	for _, c := range wordsCases {
		f.Add(c.e.Field, c.e.Value, c.e.Problem, c.e.Fix)
	}
	f.Fuzz(func(t *testing.T, field, value, problem, fix string) {
		e := &InputError{Field: field, Value: value, Problem: problem, Fix: fix}
		got := e.Words(func(f string) string { return "<" + f + ">" })
		if !strings.HasPrefix(got, "<"+field+">") {
			t.Fatalf("%q does not start with the field", got)
		}
		if value != "" && !strings.Contains(got, quoteValue(value)) {
			t.Fatalf("%q lost the value %q", got, value)
		}
		if !strings.ContainsAny(problem+fix, "{}") && !strings.Contains(got, problem) {
			t.Fatalf("%q lost the problem %q", got, problem)
		}
	})
}

func TestRewordErrorKeepsContext(t *testing.T) {
	ie := &InputError{Field: FieldFrom, Value: "2026-02-30", Problem: "is not a date"}
	err := fmt.Errorf("export appointments: %w", fmt.Errorf("check: %w: %w", ie, ErrNeedFullSync))
	got := RewordError(err, func(e error) (string, bool) {
		if e, ok := e.(*InputError); ok {
			return e.Words(testFlag), true
		}
		if e == ErrNeedFullSync {
			return "use --full", true
		}
		return "", false
	})
	if want := "export appointments: check: --from 2026-02-30 is not a date: use --full"; got != want {
		t.Errorf("RewordError = %q, want %q", got, want)
	}
	if RewordError(nil, nil) != "" {
		t.Error("nil error worded")
	}
}

package data

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestStatusSetsKnowTheirValues(t *testing.T) {
	appts := AppointmentStatuses()
	if appts.Len() != 5 || appts.Index("cancelled") != 3 || !appts.Valid("no_show") || appts.Valid("") || appts.Valid("Scheduled") {
		t.Errorf("appointment statuses: len %d, index(cancelled) %d", appts.Len(), appts.Index("cancelled"))
	}
	for _, s := range PaymentStatuses().All() {
		if !PaymentStatuses().Valid(string(s)) || AppointmentStatuses().Valid(string(s)) {
			t.Errorf("payment status %q: valid in the wrong set", s)
		}
	}
	if !SubscriptionStatuses().Valid("past_due") || SubscriptionStatuses().Valid("cancelled") {
		t.Error("subscription statuses: past_due must be valid and cancelled (the appointment spelling) not")
	}
}

// TestExportedListsCannotBeChanged changes what the package hands out and checks that the next
// caller still gets the original.
func TestExportedListsCannotBeChanged(t *testing.T) {
	a := AppointmentStatuses().All()
	want := slices.Clone(a)
	a[0] = "hacked"
	if got := AppointmentStatuses().All(); !slices.Equal(got, want) || !AppointmentStatuses().Valid(string(want[0])) || AppointmentStatuses().Valid("hacked") {
		t.Errorf("AppointmentStatuses changed through a returned slice: %v", got)
	}
	e := Entities()
	wantE := slices.Clone(e)
	e[0] = "hacked"
	if got := Entities(); !slices.Equal(got, wantE) || got[0] != "resources" {
		t.Errorf("Entities changed through a returned slice: %v", got)
	}
}

func TestThousands(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {12345, "12,345"}, {123456, "123,456"},
		{1234567, "1,234,567"}, {-1, "-1"}, {-999, "-999"}, {-1000, "-1,000"}, {-123456, "-123,456"},
		{math.MaxInt64, "9,223,372,036,854,775,807"}, {math.MinInt64, "-9,223,372,036,854,775,808"},
	} {
		if got := Thousands(c.n); got != c.want {
			t.Errorf("Thousands(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// FuzzThousands checks the shape of every output: without its commas it is the plain number,
// and the commas sit between groups of exactly three digits.
func FuzzThousands(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 999, 1000, -1000, 1 << 40, math.MaxInt64, math.MinInt64} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		got := Thousands(n)
		if plain := strings.ReplaceAll(got, ",", ""); plain != strconv.FormatInt(n, 10) {
			t.Fatalf("Thousands(%d) = %q: without commas %q", n, got, plain)
		}
		groups := strings.Split(strings.TrimPrefix(got, "-"), ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 || (len(groups) > 1 && groups[0][0] == '0') {
			t.Fatalf("Thousands(%d) = %q: bad leading group", n, got)
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				t.Fatalf("Thousands(%d) = %q: group %q is not three digits", n, got, g)
			}
		}
	})
}

package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// fuzzLimit is the page size the fuzzed client asked for.
const fuzzLimit = 50

// FuzzDecodePage feeds arbitrary bytes to the page decoder of every entity: it must never panic,
// and whatever it accepts must pass validation again when checked independently here.
func FuzzDecodePage(f *testing.F) {
	srv, err := tenantserver.New(context.Background(), datatest.Remote(), datatest.Token, demo.Options{Appointments: 30, Seed: 3, Today: datatest.Today})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	for i, e := range data.Entities() {
		r := httptest.NewRequest("GET", "/v1/changes/"+e+"?limit=3", nil)
		r.Header.Set("Authorization", "Bearer "+datatest.Token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		f.Add(uint8(i), w.Body.Bytes())
	}
	for _, tc := range hostileCases() {
		if tc.body != "" && len(tc.body) < 1<<16 {
			f.Add(entityIndex(tc.entity), []byte(tc.body))
		}
	}
	f.Add(uint8(3), []byte(hostilePage("appointments", "c0", true, hostileRecord("appointments", 1, nil))))
	f.Add(uint8(4), []byte(`{"entity":"payments","records":[],"deleted":[{"id":5},{"id":5}],"next_cursor":"x"}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		entity := data.Entities()[int(which)%len(data.Entities())]
		pg, err := datasync.DecodePageForTest(entity, "c0", body, fuzzLimit)
		if err != nil {
			if !strings.Contains(err.Error(), entity) {
				t.Errorf("error does not name %s: %v", entity, err)
			}
			return
		}
		revalidate(t, entity, body, pg)
	})
}

// sane checks, by reflection and apart from the decoder's own checks, the properties the store
// relies on: bounded money, instants in range, short valid UTF-8 text.
func sane(v reflect.Value) string {
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		switch x := f.Interface().(type) {
		case time.Time:
			if y := x.Year(); y < 1970 || y > 2200 {
				return fmt.Sprintf("%s in year %d", name, y)
			}
		case string:
			if len(x) > 1000 || !utf8.ValidString(x) {
				return fmt.Sprintf("%s is long or not UTF-8", name)
			}
		case int64:
			if strings.HasSuffix(name, "Cents") && (x > datasync.MaxMoneyCents || x < -datasync.MaxMoneyCents) {
				return fmt.Sprintf("%s %d beyond the money bound", name, x)
			}
		}
	}
	return ""
}

func entityIndex(e string) uint8 {
	for i, x := range data.Entities() {
		if x == e {
			return uint8(i)
		}
	}
	panic(e)
}

// revalidate checks an accepted page against the protocol's rules, independently of the
// decoder's own bookkeeping.
func revalidate(t *testing.T, entity string, body []byte, pg datasync.PageView) {
	switch entity {
	case "resources":
		recheck(t, body, pg, datasync.CheckResource, func(v data.Resource) int64 { return v.ID })
	case "services":
		recheck(t, body, pg, datasync.CheckService, func(v data.Service) int64 { return v.ID })
	case "customers":
		recheck(t, body, pg, datasync.CheckCustomer, func(v data.Customer) int64 { return v.ID })
	case "appointments":
		recheck(t, body, pg, datasync.CheckAppointment, func(v data.Appointment) int64 { return v.ID })
	case "payments":
		recheck(t, body, pg, datasync.CheckPayment, func(v data.Payment) int64 { return v.ID })
	case "subscriptions":
		recheck(t, body, pg, datasync.CheckSubscription, func(v data.Subscription) int64 { return v.ID })
	}
}

func recheck[T any](t *testing.T, body []byte, pg datasync.PageView, check func(T) error, id func(T) int64) {
	var p datasync.ChangesPage[T]
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("accepted a page that does not decode: %v", err)
	}
	n := len(p.Records) + len(p.Deleted)
	switch {
	case int64(n) != pg.Size || len(p.Records) != len(pg.IDs):
		t.Fatalf("page of %d changes decoded as %d", n, pg.Size)
	case n > fuzzLimit:
		t.Fatalf("accepted %d changes over the limit %d", n, fuzzLimit)
	case pg.More && (n == 0 || pg.Next == "c0"):
		t.Fatalf("accepted has_more without progress")
	case len(pg.Next) > 256 || strings.ContainsFunc(pg.Next, func(r rune) bool { return r < 0x20 || r > 0x7e }):
		t.Fatalf("accepted next_cursor %q", pg.Next)
	}
	seen := map[int64]bool{}
	for i, r := range p.Records {
		if err := check(r); err != nil {
			t.Fatalf("accepted record %d: %v", i, err)
		}
		if id(r) != pg.IDs[i] || seen[id(r)] {
			t.Fatalf("record %d: id %d repeated or recorded as %d", i, id(r), pg.IDs[i])
		}
		seen[id(r)] = true
		if err := sane(reflect.ValueOf(r)); err != "" {
			t.Fatalf("accepted record %d: %s", i, err)
		}
	}
	for _, d := range p.Deleted {
		if d.ID <= 0 || seen[d.ID] {
			t.Fatalf("accepted tombstone id %d", d.ID)
		}
		seen[d.ID] = true
	}
}

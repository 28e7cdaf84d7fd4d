package sync

import (
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data"
)

// TestSyncRefusesBadCurrency: the client's validation refuses a currency that is not three ASCII
// capital letters with a message naming it, before SQLite's CHECK (which counts "€" as one
// character) stops the sync with a raw constraint error.
func TestSyncRefusesBadCurrency(t *testing.T) {
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, code := range []string{"€", `a"b`, "usd"} {
		p := data.Payment{ID: 1, CustomerID: 1, AmountCents: 100, Currency: code, Status: data.PaymentSucceeded, CreatedAt: at, PaidAt: &at, UpdatedAt: at}
		s := data.Subscription{ID: 1, CustomerID: 1, PlanName: "Monthly", Status: data.SubActive, AmountCents: 100, Currency: code, Interval: "month", StartedAt: at, UpdatedAt: at}
		tn := RemoteTenant{Tenant: data.Tenant{ID: "t1", Name: "Spa", TimeZone: "UTC", Currency: code}}
		for what, err := range map[string]error{"payment": checkPayment(p), "subscription": checkSubscription(s), "tenant": tn.Validate()} {
			if err == nil || !strings.Contains(err.Error(), "currency") {
				t.Errorf("%s with currency %q: %v, want a refusal naming the currency", what, code, err)
			}
		}
	}
}

package reports

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/almanac-app/almanac/data/store"

	"github.com/almanac-app/almanac/license"
)

// customersBenchStore is the bench tenant at the current schema: a copy of the shared one,
// migrated (which builds the customer rollups), so the shared file other builds read is left at
// its version.
func customersBenchStore(b *testing.B) (*Service, string) {
	b.Helper()
	s, shared := benchStore(b)
	dst := filepath.Join(filepath.Dir(shared), fmt.Sprintf("customers-v%d.db", store.LatestSchemaVersion()))
	if _, err := os.Stat(dst); err != nil {
		if err := copyFile(shared, dst+".tmp"); err != nil {
			b.Fatal(err)
		}
		st, err := store.Open(context.Background(), dst+".tmp")
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
		if err := os.Rename(dst+".tmp", dst); err != nil {
			b.Fatal(err)
		}
	}
	st, err := store.Open(context.Background(), dst)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return New(st, s.now), dst
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// rawCustomersSQL computes every field of the customers report from the raw rows.
func rawCustomersSQL(p, prev Period, lapsedBefore string, now int64) string {
	return fmt.Sprintf(`WITH v AS (SELECT customer_id, COUNT(*) n FROM appointments WHERE status = 'completed' AND local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1),
 f AS (SELECT customer_id, MIN(local_date) first FROM appointments WHERE status = 'completed' GROUP BY 1)
SELECT SUM(f.first >= '%[1]s'), SUM(f.first < '%[1]s'), COUNT(*), SUM(v.n) FROM v JOIN f USING (customer_id);
SELECT COUNT(DISTINCT customer_id), COUNT(DISTINCT CASE WHEN customer_id IN (SELECT customer_id FROM appointments WHERE status = 'completed' AND local_date BETWEEN '%[1]s' AND '%[2]s') THEN customer_id END)
  FROM appointments WHERE status = 'completed' AND local_date BETWEEN '%[3]s' AND '%[4]s';
SELECT p.customer_id, c.name, SUM(p.amount_cents) r, (SELECT COUNT(*) FROM appointments a WHERE a.customer_id = p.customer_id AND a.status = 'completed' AND a.local_date BETWEEN '%[1]s' AND '%[2]s') v
  FROM payments p JOIN customers c ON c.id = p.customer_id
 WHERE p.status = 'succeeded' AND p.currency = 'USD' AND p.paid_local_date BETWEEN '%[1]s' AND '%[2]s' GROUP BY 1 ORDER BY r DESC, v DESC, 1 LIMIT 20;
SELECT c.id, c.name, c.email, c.phone, l.last, l.n, (SELECT COALESCE(SUM(amount_cents), 0) FROM payments p WHERE p.customer_id = c.id AND p.status = 'succeeded' AND p.currency = 'USD')
  FROM (SELECT customer_id, MAX(local_date) last, COUNT(*) n FROM appointments WHERE status = 'completed' GROUP BY 1) l JOIN customers c ON c.id = l.customer_id
 WHERE c.status = 'active' AND l.last < '%[5]s'
   AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.customer_id = c.id AND a.start_at > %[6]d AND a.status IN ('scheduled', 'confirmed'))
 ORDER BY l.last DESC, c.id;`, p.From, p.To, prev.From, prev.To, lapsedBefore, now)
}

func benchCustomers(b *testing.B, days int) {
	s, path := customersBenchStore(b)
	e := license.EntitlementsFor(license.Payload{Plan: license.Enterprise}, true)
	w := e.Window(Today(s.now(), mustLoc("America/New_York")))
	p, prev := benchPeriod(days)
	q := CustomerQuery{Period: p, Window: w}
	lapsedBefore := w.Today.AddDate(0, 0, -DefaultLapsedDays).Format("2006-01-02")
	run := func() error { _, err := s.Customers(context.Background(), e, q); return err }
	benchReport(b, path, run, rawCustomersSQL(p, prev, lapsedBefore, s.now().Unix()), false)
}

func BenchmarkReportCustomers30Days(b *testing.B) { benchCustomers(b, 30) }

func BenchmarkReportCustomers90Days(b *testing.B) { benchCustomers(b, 90) }

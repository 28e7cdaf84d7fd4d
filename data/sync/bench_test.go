package sync_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/almanac-app/almanac/data/datatest"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/demo"
	"github.com/almanac-app/almanac/data/store"
	datasync "github.com/almanac-app/almanac/data/sync"
	"github.com/almanac-app/almanac/data/sync/tenantserver"
)

// benchAppointments is the tenant size of BenchmarkSync: ALMANAC_SYNC_BENCH_N, default 1,000,000.
func benchAppointments() int {
	if n, err := strconv.Atoi(os.Getenv("ALMANAC_SYNC_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

const serverProcessEnv = "ALMANAC_SYNC_SERVER_PROCESS"

// TestSyncServerProcess is not a test: BenchmarkSync re-executes the test binary with it to run
// the reference server in its own process, as a local tenantd would be (sharing the process
// would make the client's garbage collector scan the server's million rows). It prints its
// address, serves, and exits when stdin closes; GET /bench/mutate changes 1% of appointments.
func TestSyncServerProcess(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(serverProcessEnv))
	if err != nil {
		t.Skip("helper process for BenchmarkSync")
	}
	srv, err := tenantserver.New(context.Background(), datatest.Remote(), datatest.Token, demo.Options{Appointments: n, Seed: 5, Today: datatest.Today})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	mux.HandleFunc("/bench/mutate", func(w http.ResponseWriter, r *http.Request) { srv.Mutate(n/100, 42) })
	go http.Serve(ln, mux) //nolint:errcheck // ends with the process
	fmt.Printf("listening %s\n", ln.Addr())
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

// startServerProcess runs TestSyncServerProcess and returns its base URL.
func startServerProcess(b *testing.B, n int) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncServerProcess$", "-test.v")
	cmd.Env = append(os.Environ(), serverProcessEnv+"="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
			go func() { // keep draining so the helper never blocks on a full pipe
				for sc.Scan() {
				}
			}()
			return "http://" + addr
		}
	}
	b.Fatal("the server process did not start")
	return ""
}

// BenchmarkSync measures, in one run: the ceiling (the same pages applied to a fresh store
// through applyPage, no HTTP or JSON), a full sync over loopback HTTP from a server in another
// process, and an incremental sync after 1% of the appointments changed.
func BenchmarkSync(b *testing.B) {
	n := benchAppointments()
	url := startServerProcess(b, n)
	for b.Loop() {
		bare := benchBare(b, n)
		ceiling := benchCeiling(b, n)
		full, incr := benchOverHTTP(b, url)
		b.ReportMetric(float64(n)/bare.Seconds(), "bare-sqlite-appt/s")
		b.ReportMetric(float64(n)/ceiling.Seconds(), "ceiling-appt/s")
		b.ReportMetric(float64(n)/full.Seconds(), "sync-appt/s")
		b.ReportMetric(100*ceiling.Seconds()/full.Seconds(), "%-of-ceiling")
		b.ReportMetric(incr.Seconds(), "incremental-s")
		b.Logf("%d appointments: bare sqlite inserts %v, ceiling %v, full sync %v, incremental (1%%) %v", n, bare, ceiling, full, incr)
	}
}

// benchBare is the reference below every other figure: the same rows, already converted to
// column values, inserted by a bare database/sql loop (multi-row prepared INSERTs, 5,000 rows
// per transaction, WAL) into tables with only an integer primary key: no foreign keys, secondary
// indexes, rollups, JSON or HTTP. No sync can load a store faster on this machine.
func benchBare(b *testing.B, n int) time.Duration {
	ctx := context.Background()
	rows := bareRows{}
	if err := demo.Generate(ctx, demo.Options{Appointments: n, Seed: 5, Today: datatest.Today}, &rows); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+b.TempDir()+"/bare.db?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-131072)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, e := range data.Entities() {
		if _, err := db.Exec("CREATE TABLE " + e + " (" + strings.Join(store.Columns(e), ", ") + ", PRIMARY KEY (id))"); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	for _, e := range data.Entities() {
		if err := bareInsert(db, e, rows[e]); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// bareRows holds generated rows as column values, per table (a Sink).
type bareRows map[string][]any

func (r bareRows) PutResource(v data.Resource) error {
	r["resources"] = append(r["resources"], v.ID, v.Name, string(v.Kind), boolInt(v.Active), unix(v.UpdatedAt))
	return nil
}
func (r bareRows) PutService(v data.Service) error {
	r["services"] = append(r["services"], v.ID, v.Name, v.DurationMinutes, v.PriceCents, boolInt(v.Active), unix(v.UpdatedAt))
	return nil
}
func (r bareRows) PutCustomer(v data.Customer) error {
	r["customers"] = append(r["customers"], v.ID, v.Name, v.Email, v.Phone, string(v.Status), unix(v.CreatedAt), unix(v.UpdatedAt))
	return nil
}
func (r bareRows) PutAppointment(v data.Appointment) error {
	local := v.StartAt.In(benchLoc)
	r["appointments"] = append(r["appointments"], v.ID, v.CustomerID, v.ServiceID, v.ResourceID, unix(v.StartAt), unix(v.EndAt),
		string(v.Status), unix(v.BookedAt), v.PriceCents, local.Format(data.DateLayout), local.Hour(), unix(v.UpdatedAt))
	return nil
}
func (r bareRows) PutPayment(v data.Payment) error {
	var appt, paid, paidDate any
	if v.AppointmentID != nil {
		appt = *v.AppointmentID
	}
	if v.PaidAt != nil {
		paid, paidDate = v.PaidAt.Unix(), data.LocalDate(*v.PaidAt, benchLoc)
	}
	r["payments"] = append(r["payments"], v.ID, v.CustomerID, appt, v.AmountCents, v.Currency, string(v.Status),
		unix(v.CreatedAt), paid, data.LocalDate(v.CreatedAt, benchLoc), paidDate, unix(v.UpdatedAt))
	return nil
}
func (r bareRows) PutSubscription(v data.Subscription) error {
	r["subscriptions"] = append(r["subscriptions"], v.ID, v.CustomerID, v.PlanName, string(v.Status), v.AmountCents, v.Currency,
		v.Interval, unix(v.StartedAt), unixPtr(v.CanceledAt), unix(v.UpdatedAt))
	return nil
}

// bareInsert inserts vals (rows of table's columns, flattened) 100 rows per statement and
// 5,000 per transaction.
func bareInsert(db *sql.DB, table string, vals []any) error {
	cols := store.Columns(table)
	width := len(cols)
	const perStmt, perTx = 100, 5000
	q := bareInsertSQL(table, cols, perStmt)
	for txStart := 0; txStart < len(vals); txStart += perTx * width {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		st, err := tx.Prepare(q)
		if err != nil {
			return err
		}
		chunk := vals[txStart:min(txStart+perTx*width, len(vals))]
		for i := 0; i < len(chunk); i += perStmt * width {
			part := chunk[i:min(i+perStmt*width, len(chunk))]
			if len(part) == perStmt*width {
				_, err = st.Exec(part...)
			} else {
				_, err = tx.Exec(bareInsertSQL(table, cols, len(part)/width), part...)
			}
			if err != nil {
				return err
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// bareInsertSQL is a multi-row INSERT of rows rows.
func bareInsertSQL(table string, cols []string, rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func unix(t time.Time) int64 { return t.Unix() }

func unixPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Unix()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// benchCeiling applies every page the server would send straight from memory; the in-process
// server is dropped before the next step.
func benchCeiling(b *testing.B, n int) time.Duration {
	srv, err := tenantserver.New(context.Background(), datatest.Remote(), datatest.Token, demo.Options{Appointments: n, Seed: 5, Today: datatest.Today})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(context.Background(), b.TempDir()+"/ceiling.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	t, bulk, err := st.PrepareSync(ctx, datatest.Remote().Tenant, false)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for _, e := range data.Entities() {
		cursor := ""
		for {
			pg, more := srv.DirectPage(e, cursor, datasync.MaxPageLimit)
			if _, _, _, err := st.ApplyPage(ctx, t.Location(), &pg); err != nil {
				b.Fatal(err)
			}
			if !more {
				break
			}
			cursor = pg.Next
		}
	}
	if bulk {
		if err := st.FinishBulk(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

func benchOverHTTP(b *testing.B, url string) (full, incr time.Duration) {
	h := data.Home{Dir: b.TempDir()}
	o := datasync.Options{Server: url, Token: datatest.Token}
	start := time.Now()
	if _, err := datasync.Sync(context.Background(), h, o); err != nil {
		b.Fatal(err)
	}
	full = time.Since(start)
	resp, err := http.Get(url + "/bench/mutate")
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	start = time.Now()
	if _, err := datasync.Sync(context.Background(), h, o); err != nil {
		b.Fatal(err)
	}
	return full, time.Since(start)
}

// benchLoc is datatest.Remote's time zone.
var benchLoc = func() *time.Location {
	loc, err := time.LoadLocation(datatest.Remote().TimeZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

package store

import (
	"context"
	"reflect"
	"testing"
)

// Busy hours by day and hour, through the hourly rollup and (with a service or resource) the
// raw rows, give the same cells as counting the table.
func TestSnapshotApptsByDayHourEveryFilter(t *testing.T) {
	st := openSnapFixture(t)
	from, to := "2026-03-01", "2026-03-05"
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		for _, status := range []string{"", "completed", "cancelled"} {
			for svc := range int64(3) {
				for res := range int64(3) {
					f := ApptFilter{Status: status, ServiceID: svc, ResourceID: res}
					got, err := sn.ApptsByDayHour(ctx, from, to, f)
					if err != nil {
						return err
					}
					gotM := map[DayHourCount]bool{}
					for _, c := range got {
						gotM[c] = true
					}
					want := map[DayHourCount]bool{}
					for _, a := range snapAppts {
						date := a.start.Format("2006-01-02")
						if date < from || date > to || status != "" && string(a.status) != status || svc != 0 && a.svc != svc || res != 0 && a.res != res {
							continue
						}
						want[DayHourCount{Date: date, Hour: a.start.Hour(), N: 1}] = true // one per hour in this fixture
					}
					if !reflect.DeepEqual(gotM, want) {
						t.Errorf("ApptsByDayHour %+v\n got %v\nwant %v", f, got, want)
					}
				}
			}
		}
		return nil
	})
}

// The staff reads, by hand from snapAppts and its payments over March 1-5: resource 1 has ids
// 1 (completed 60), 2 (cancelled 30), 4 (no_show 60); resource 2 has 3 (completed 45), 5
// (scheduled 30), 6 (confirmed 60). Revenue: payment 1 (9000, appt 1, res 1), 2 (5000, appt 3,
// res 2), 3 (1500, no appointment, 0); the failed and EUR ones never count.
func TestSnapshotStaffReadsByHand(t *testing.T) {
	st := openSnapFixture(t)
	snapRead(t, st, func(ctx context.Context, sn *Snapshot) error {
		cells, err := sn.ApptsByResourceStatus(ctx, "2026-03-01", "2026-03-05")
		if err != nil {
			return err
		}
		got := map[ResourceStatusCount]bool{}
		for _, c := range cells {
			got[c] = true
		}
		want := map[ResourceStatusCount]bool{
			{1, "completed", 1, 3600}: true, {1, "cancelled", 1, 1800}: true, {1, "no_show", 1, 3600}: true,
			{2, "completed", 1, 2700}: true, {2, "scheduled", 1, 1800}: true, {2, "confirmed", 1, 3600}: true,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ApptsByResourceStatus\n got %v\nwant %v", cells, want)
		}
		rev, err := sn.RevenueByResource(ctx, "2026-03-01", "2026-03-05", "USD")
		if err != nil {
			return err
		}
		if w := map[int64]int64{1: 9000, 2: 5000, 0: 1500}; !reflect.DeepEqual(rev, w) {
			t.Errorf("RevenueByResource = %v, want %v", rev, w)
		}
		return nil
	})
}

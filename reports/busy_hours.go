package reports

import (
	"time"

	"github.com/almanac-app/almanac/data"
	"github.com/almanac-app/almanac/data/store"
)

// Busy hours: when appointments start, as a weekday × hour grid of counts by the local date and
// hour of their start in the tenant's zone (docs/metrics.md). The store returns counts per
// local date and hour; the weekday is that of the local date, so a daylight-saving day is
// still one day and an appointment at 23:59 local stays on its local weekday.

// Weekdays are the rows of busy_hours, Monday first.
var Weekdays = [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// busyHours lays the store's date × hour counts out as 7 rows (Monday first) of 24 hours.
func busyHours(cells []store.DayHourCount) [][]int64 {
	grid := make([][]int64, 7)
	for i := range grid {
		grid[i] = make([]int64, 24)
	}
	for _, c := range cells {
		d, err := time.Parse(data.DateLayout, c.Date)
		if err != nil || c.Hour < 0 || c.Hour > 23 {
			continue
		}
		grid[mondayIndex(d.Weekday())][c.Hour] += c.N
	}
	return grid
}

// mondayIndex is the row of weekday w: Monday 0 … Sunday 6.
func mondayIndex(w time.Weekday) int { return (int(w) + 6) % 7 }

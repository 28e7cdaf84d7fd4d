package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/almanac-app/almanac/reports"
)

// dashboardView holds the dashboard's cards so a background load can fill them.
type dashboardView struct {
	month, upcoming, customers, revenue *Card
	status                              *widget.Label
}

func buildDashboard(s *Shell) fyne.CanvasObject {
	v := &dashboardView{
		month:     NewCard("Appointments this month", "Every appointment whose start falls in this calendar month (tenant's time zone), future ones and every status included."),
		upcoming:  NewCard("Upcoming appointments", "Scheduled or confirmed appointments that start after now."),
		customers: NewCard("Active customers", "Customers whose status is active."),
		revenue:   NewCard("Revenue this month", "Succeeded payments, by the local date they were paid, this calendar month."),
		status:    widget.NewLabel("Loading…"),
	}
	grid := container.NewGridWithColumns(2, v.month, v.upcoming, v.customers, v.revenue)
	Run(context.Background(), s.Reports().Summary, v.show)
	return container.NewVScroll(container.NewVBox(widget.NewLabelWithStyle("Dashboard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), grid, v.status))
}

func (v *dashboardView) show(sum reports.Summary, err error) {
	if err != nil {
		v.status.SetText("Could not compute the dashboard: " + err.Error())
		return
	}
	v.month.Value.SetText(reports.GroupThousands(sum.AppointmentsThisMonth))
	v.upcoming.Value.SetText(reports.GroupThousands(sum.UpcomingAppointments))
	v.customers.Value.SetText(reports.GroupThousands(sum.ActiveCustomers))
	v.revenue.Value.SetText(reports.FormatMoney(sum.RevenueThisMonthCents, sum.Currency))
	v.status.SetText(fmt.Sprintf("%s to %s, %s time.", sum.MonthStart, sum.MonthEnd, sum.Tenant.TimeZone))
}

package reports

import (
	"context"

	"github.com/almanac-app/almanac/license"
)

// DocumentComparison is what a document asked for with a comparison adds: the comparison
// period's daily values, which its daily chart draws as a second, dashed line. Exactly one of
// Appointments and Revenue is set, as the document's report.
type DocumentComparison struct {
	Mode         CompareMode
	Period       Period
	Appointments *AppointmentAnalytics
	Revenue      *RevenueAnalytics
}

// compareDocument computes doc's comparison when req asks for one: the same query over the
// comparison period, gated by period comparisons and held against the history window (the
// dashboard's charts draw no daily line, so it has none).
func (s *Service) compareDocument(ctx context.Context, ents license.Entitlements, req DocumentRequest, doc *Document) error {
	if req.Compare == "" || req.Report == ReportDashboard {
		return nil
	}
	if err := CheckComparisons(ents); err != nil {
		return err
	}
	w := ents.Window(Today(s.now(), doc.Tenant.Location()))
	switch {
	case doc.Appointments != nil:
		q := req.Appointments
		q.Period = Period{Kind: q.Period.Kind, From: doc.Appointments.From, To: doc.Appointments.To}
		cp, err := ResolveComparison(q.Period, req.Compare, w)
		if err != nil {
			return err
		}
		q.Period, q.Window = cp, w
		g, err := s.Appointments(ctx, ents, q)
		if err != nil {
			return err
		}
		doc.Compared = &DocumentComparison{Mode: req.Compare, Period: cp, Appointments: &g.AppointmentAnalytics}
	case doc.Revenue != nil:
		rq := req.Revenue
		cp, err := ResolveComparison(Period{Kind: rq.Period.Kind, From: doc.Revenue.From, To: doc.Revenue.To}, req.Compare, w)
		if err != nil {
			return err
		}
		rq.Period = cp
		r, err := s.Revenue(ctx, ents, rq)
		if err != nil {
			return err
		}
		doc.Compared = &DocumentComparison{Mode: req.Compare, Period: cp, Revenue: &r}
	}
	return nil
}

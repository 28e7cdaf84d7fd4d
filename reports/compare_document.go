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

// compareDocument adds req.Compare's comparison to an appointments or revenue document (the other
// reports have none and ignore it): the same query over the comparison period, held against the
// history window, gives the headline numbers compared (as `report --compare --json` prints them)
// and the comparison's days, which the daily chart draws dashed. Without Period comparisons it is
// the *license.UpgradeError; a comparison before the window the *license.HistoryError.
func (s *Service) compareDocument(ctx context.Context, ents license.Entitlements, req DocumentRequest, doc *Document) error {
	if req.Compare == "" || doc.Appointments == nil && doc.Revenue == nil {
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
		c := Compare(req.Compare, cp, AppointmentHeadlines(*doc.Appointments), AppointmentHeadlines(g))
		doc.Comparison = &c
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
		c := Compare(req.Compare, cp, RevenueHeadlines(*doc.Revenue), RevenueHeadlines(r))
		doc.Comparison = &c
		doc.Compared = &DocumentComparison{Mode: req.Compare, Period: cp, Revenue: &r}
	default:
		return nil
	}
	doc.Definitions = append(doc.Definitions, definitions["comparison"])
	return nil
}

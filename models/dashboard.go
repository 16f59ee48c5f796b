package models

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"
)

// The committee's dashboard (docs/desk.md "The dashboard"): what a community, or every community
// of a street, decided and carried out in a range of months. Every figure belongs to the range by
// its cycle's month, so a figure and the records behind it (DashboardRecords) always agree.

// DashboardFilter is the range of months (inclusive, 'YYYY-MM') and an optional compound.
type DashboardFilter struct {
	From, To   string
	CompoundID uint64
}

var dashMonth = regexp.MustCompile(`^(20[0-9]{2}-(0[1-9]|1[0-2]))(-[0-3][0-9])?$`)

// NormalizeDashboardFilter checks the range: months or dates ('YYYY-MM' or 'YYYY-MM-DD', a date
// stands for its month); an empty end defaults to this year's January and the current month in
// the community's calendar.
func NormalizeDashboardFilter(from, to string, compoundID uint64, now time.Time) (DashboardFilter, error) {
	f := DashboardFilter{CompoundID: compoundID}
	today := now.In(shanghai)
	if from == "" {
		f.From = today.Format("2006") + "-01"
	} else if m := dashMonth.FindStringSubmatch(from); m != nil {
		f.From = m[1]
	} else {
		return f, FieldError("from", "month_or_date")
	}
	if to == "" {
		f.To = today.Format("2006-01")
	} else if m := dashMonth.FindStringSubmatch(to); m != nil {
		f.To = m[1]
	} else {
		return f, FieldError("to", "month_or_date")
	}
	if f.To < f.From {
		return f, FieldError("to", "range_reversed")
	}
	return f, nil
}

// Dashboard is the answer of the dashboard routes.
type Dashboard struct {
	From          string            `json:"from"`
	To            string            `json:"to"`
	CompoundID    *uint64           `json:"compound_id"`
	Today         string            `json:"today"`
	Cycles        DashCycles        `json:"cycles"`
	Participation DashParticipation `json:"participation"`
	Resolutions   DashResolutions   `json:"resolutions"`
	Items         DashItems         `json:"items"`
	Rates         DashRates         `json:"rates"`
	Satisfaction  DashSatisfaction  `json:"satisfaction"`
	Claims        DashClaims        `json:"claims"`
	Escalations   DashEscalations   `json:"escalations"`
	// Rotation is, on a community's dashboard, each compound with the months of the range in
	// which it had its cycle (每月确定一个小区); a compound with none has an empty list.
	Rotation    []DashRotation      `json:"rotation,omitempty"`
	Communities []DashCommunityLine `json:"communities,omitempty"`
}

// DashCycles are the cycles of the range: how many, by month, and each with its compound.
type DashCycles struct {
	Total     int64            `json:"total"`
	Held      int64            `json:"held"`
	Cancelled int64            `json:"cancelled"`
	ByMonth   []DashMonth      `json:"by_month"`
	List      []DashCycle      `json:"list"`
	ByPhase   map[string]int64 `json:"by_phase"`
}

// DashMonth counts the cycles held in one month (cancelled ones left out).
type DashMonth struct {
	Month  string `json:"month"`
	Cycles int64  `json:"cycles"`
}

// DashCycle is one cycle of the range.
type DashCycle struct {
	ID            uint64 `json:"id"`
	CommunityID   uint64 `json:"community_id"`
	CommunityName string `json:"community_name"`
	Month         string `json:"month"`
	CompoundID    uint64 `json:"compound_id"`
	CompoundName  string `json:"compound_name"`
	Phase         string `json:"phase"`
}

// DashParticipation is how many took part: topics and their endorsements, cards by origin,
// meetings and sign-ins, polls and the people who voted online.
type DashParticipation struct {
	Topics        int64            `json:"topics"`
	Endorsements  int64            `json:"endorsements"`
	Cards         int64            `json:"cards"`
	CardsByOrigin map[string]int64 `json:"cards_by_origin"`
	Meetings      int64            `json:"meetings"`
	Attendance    int64            `json:"attendance"`
	Polls         int64            `json:"polls"`
	Ballots       int64            `json:"ballots"`
	// Turnout is the online voters of the meetings' polls over the sign-ins of those meetings
	// counted once per poll; null without a poll at a meeting with sign-ins.
	Turnout                      *float64 `json:"turnout"`
	turnoutVoters, turnoutSigned int64
}

// DashResolutions counts the resolutions by status.
type DashResolutions struct {
	Total    int64            `json:"total"`
	ByStatus map[string]int64 `json:"by_status"`
}

// DashItems counts the action items (leaves only: a parent closes with its children and would
// count twice). OnTime and DoneLate are done items by their completion date in China Standard
// Time against the due date; Overdue are open items past their due date today.
type DashItems struct {
	Total     int64 `json:"total"`
	Open      int64 `json:"open"`
	Done      int64 `json:"done"`
	Cancelled int64 `json:"cancelled"`
	OnTime    int64 `json:"on_time"`
	Overdue   int64 `json:"overdue"`
	DoneLate  int64 `json:"done_late"`
	// Responded: items with an update posted, or done, by their due date; Judged: the items
	// not cancelled that were started or are past their due date (the response rate's base).
	Responded int64 `json:"responded"`
	Judged    int64 `json:"judged"`
}

// DashRates are the three rates of hotline work, as fractions (null when there is nothing to
// divide by): response = Responded/Judged, resolution = Done/(Total−Cancelled), satisfaction =
// (satisfied + basically satisfied)/answers.
type DashRates struct {
	Response     *float64 `json:"response"`
	Resolution   *float64 `json:"resolution"`
	Satisfaction *float64 `json:"satisfaction"`
}

// DashSatisfaction counts the survey answers (every round) by level.
type DashSatisfaction struct {
	Answers int64            `json:"answers"`
	ByLevel map[string]int64 `json:"by_level"`
}

// DashClaims are party members' claims and service hours, as totals: no person is named or
// ranked.
type DashClaims struct {
	Made         int64   `json:"made"`
	Confirmed    int64   `json:"confirmed"`
	ItemsClaimed int64   `json:"items_claimed"`
	Claimants    int64   `json:"claimants"`
	ServiceHours float64 `json:"service_hours"`
	serviceCenti int64
}

// DashEscalations are the items' escalations beyond the community's remit (吹哨 / 12345): how
// many, answered or not, answers overdue (none yet and past the response date today) or late
// (answered after the response date), and the mean days from raising to the answer (dates in
// China Standard Time).
type DashEscalations struct {
	Total            int64    `json:"total"`
	Awaiting         int64    `json:"awaiting"`
	Responded        int64    `json:"responded"`
	Overdue          int64    `json:"overdue"`
	RespondedLate    int64    `json:"responded_late"`
	MeanResponseDays *float64 `json:"mean_response_days"`
	responseDays     int64
}

// DashRotation is one compound's months in the range (cancelled cycles left out).
type DashRotation struct {
	CompoundID   uint64   `json:"compound_id"`
	CompoundName string   `json:"compound_name"`
	Months       []string `json:"months"`
}

// DashCommunityLine is one community's headline figures on a street dashboard.
type DashCommunityLine struct {
	ID          uint64    `json:"id"`
	Name        string    `json:"name"`
	Cycles      int64     `json:"cycles"`
	Resolutions int64     `json:"resolutions"`
	Items       DashItems `json:"items"`
	Rates       DashRates `json:"rates"`
}

func newDashboard(f DashboardFilter, today string) *Dashboard {
	d := &Dashboard{From: f.From, To: f.To, Today: today}
	if f.CompoundID != 0 {
		id := f.CompoundID
		d.CompoundID = &id
	}
	d.Cycles.ByMonth, d.Cycles.List = []DashMonth{}, []DashCycle{}
	d.Cycles.ByPhase = map[string]int64{}
	d.Participation.CardsByOrigin = map[string]int64{OriginOnline: 0, OriginPaper: 0, OriginTable: 0}
	d.Resolutions.ByStatus = map[string]int64{}
	d.Satisfaction.ByLevel = map[string]int64{}
	for _, l := range SurveyLevels {
		d.Satisfaction.ByLevel[l] = 0
	}
	return d
}

// CommunityDashboard is the dashboard of one community; the committee, admins and the street's
// observers read it.
func (s *Store) CommunityDashboard(ctx context.Context, a Actor, communityID uint64, f DashboardFilter) (*Dashboard, error) {
	db := s.rdb(ctx)
	if err := s.deskAccess(db, a, communityID); err != nil {
		return nil, err
	}
	if f.CompoundID != 0 {
		var n int64
		if err := db.Model(&Compound{}).Where("id = ? AND community_id = ?", f.CompoundID, communityID).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("find compound: %w", err)
		}
		if n == 0 {
			return nil, FieldError("compound_id", "compound_not_found")
		}
	}
	var name string
	if err := db.Model(&Community{}).Where("id = ?", communityID).Pluck("name", &name).Error; err != nil {
		return nil, fmt.Errorf("find community: %w", err)
	}
	per, err := s.dashboards(db, []StreetCommunity{{ID: communityID, Name: name}}, f)
	if err != nil {
		return nil, err
	}
	d := per[0]
	var compounds []Compound
	q := db.Model(&Compound{}).Select("id, name").Where("community_id = ?", communityID)
	if f.CompoundID != 0 {
		q = q.Where("id = ?", f.CompoundID)
	}
	if err := q.Order("id").Find(&compounds).Error; err != nil {
		return nil, fmt.Errorf("dashboard compounds: %w", err)
	}
	d.Rotation = make([]DashRotation, 0, len(compounds))
	for _, cp := range compounds {
		r := DashRotation{CompoundID: cp.ID, CompoundName: cp.Name, Months: []string{}}
		for _, c := range d.Cycles.List {
			if c.CompoundID == cp.ID && c.Phase != PhaseCancelled {
				r.Months = append(r.Months, c.Month)
			}
		}
		d.Rotation = append(d.Rotation, r)
	}
	return d, nil
}

// StreetDashboard is the dashboard of every community of a street, with a line per community;
// the superadmin and the street's observers read it.
func (s *Store) StreetDashboard(ctx context.Context, a Actor, streetID uint64, f DashboardFilter) (*Dashboard, error) {
	db := s.rdb(ctx)
	st, err := s.streetAccess(db, a, streetID)
	if err != nil {
		return nil, err
	}
	f.CompoundID = 0
	per, err := s.dashboards(db, st.Communities, f)
	if err != nil {
		return nil, err
	}
	total := newDashboard(f, communityToday(s.now()))
	total.Communities = []DashCommunityLine{}
	for i, d := range per {
		total.add(d)
		total.Communities = append(total.Communities, DashCommunityLine{ID: st.Communities[i].ID,
			Name: st.Communities[i].Name, Cycles: d.Cycles.Held, Resolutions: d.Resolutions.Total,
			Items: d.Items, Rates: d.Rates})
	}
	total.finish()
	return total, nil
}

// add sums another community's figures into d.
func (d *Dashboard) add(o *Dashboard) {
	c, oc := &d.Cycles, &o.Cycles
	c.Total += oc.Total
	c.Held += oc.Held
	c.Cancelled += oc.Cancelled
	c.List = append(c.List, oc.List...)
	for k, v := range oc.ByPhase {
		c.ByPhase[k] += v
	}
	p, op := &d.Participation, &o.Participation
	p.Topics += op.Topics
	p.Endorsements += op.Endorsements
	p.Cards += op.Cards
	for k, v := range op.CardsByOrigin {
		p.CardsByOrigin[k] += v
	}
	p.Meetings += op.Meetings
	p.Attendance += op.Attendance
	p.Polls += op.Polls
	p.Ballots += op.Ballots
	p.turnoutVoters += op.turnoutVoters
	p.turnoutSigned += op.turnoutSigned
	d.Resolutions.Total += o.Resolutions.Total
	for k, v := range o.Resolutions.ByStatus {
		d.Resolutions.ByStatus[k] += v
	}
	i, oi := &d.Items, &o.Items
	i.Total += oi.Total
	i.Open += oi.Open
	i.Done += oi.Done
	i.Cancelled += oi.Cancelled
	i.OnTime += oi.OnTime
	i.Overdue += oi.Overdue
	i.DoneLate += oi.DoneLate
	i.Responded += oi.Responded
	i.Judged += oi.Judged
	d.Satisfaction.Answers += o.Satisfaction.Answers
	for k, v := range o.Satisfaction.ByLevel {
		d.Satisfaction.ByLevel[k] += v
	}
	cl, ocl := &d.Claims, &o.Claims
	cl.Made += ocl.Made
	cl.Confirmed += ocl.Confirmed
	cl.ItemsClaimed += ocl.ItemsClaimed
	cl.Claimants += ocl.Claimants // people claiming in several communities count in each
	cl.serviceCenti += ocl.serviceCenti
	e, oe := &d.Escalations, &o.Escalations
	e.Total += oe.Total
	e.Awaiting += oe.Awaiting
	e.Responded += oe.Responded
	e.Overdue += oe.Overdue
	e.RespondedLate += oe.RespondedLate
	e.responseDays += oe.responseDays
}

func ratio(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// finish derives the rates, the turnout, the hours and the months from the counts.
func (d *Dashboard) finish() {
	d.Participation.Turnout = ratio(d.Participation.turnoutVoters, d.Participation.turnoutSigned)
	d.Rates.Response = ratio(d.Items.Responded, d.Items.Judged)
	d.Rates.Resolution = ratio(d.Items.Done, d.Items.Total-d.Items.Cancelled)
	d.Rates.Satisfaction = ratio(d.Satisfaction.ByLevel[SurveySatisfied]+d.Satisfaction.ByLevel[SurveyBasicallySatisfied],
		d.Satisfaction.Answers)
	d.Claims.ServiceHours = float64(d.Claims.serviceCenti) / 100
	if d.Escalations.Responded > 0 {
		m := float64(d.Escalations.responseDays) / float64(d.Escalations.Responded)
		d.Escalations.MeanResponseDays = &m
	}
	sort.Slice(d.Cycles.List, func(i, j int) bool {
		a, b := d.Cycles.List[i], d.Cycles.List[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		return a.ID < b.ID
	})
	months := map[string]int64{}
	for _, c := range d.Cycles.List {
		if c.Phase != PhaseCancelled {
			months[c.Month]++
		}
	}
	d.Cycles.ByMonth = []DashMonth{}
	for m := d.From; m <= d.To; m = nextMonth(m) {
		d.Cycles.ByMonth = append(d.Cycles.ByMonth, DashMonth{Month: m, Cycles: months[m]})
		if len(d.Cycles.ByMonth) > 240 {
			break
		}
	}
}

func nextMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return "9999-12"
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// cycleScope selects the ids of the cycles in the range of the given communities.
func cycleScope(db *gorm.DB, communityIDs []uint64, f DashboardFilter) *gorm.DB {
	q := db.Table("cycles").Select("id").Where("community_id IN ? AND month >= ? AND month <= ?", communityIDs, f.From, f.To)
	if f.CompoundID != 0 {
		q = q.Where("compound_id = ?", f.CompoundID)
	}
	return q
}

// dashboards computes one dashboard per community with one set of queries for all of them
// (docs/desk.md "The dashboard"): each figure is read grouped by cycle (or by community, for the
// distinct claimants) and summed into the dashboard of the cycle's community, so a community's
// own dashboard and its line on the street's are the same computation.
func (s *Store) dashboards(db *gorm.DB, communities []StreetCommunity, f DashboardFilter) ([]*Dashboard, error) {
	today := communityToday(s.now())
	out := make([]*Dashboard, 0, len(communities))
	set := dashSet{byCommunity: map[uint64]*Dashboard{}, byCycle: map[uint64]*Dashboard{}, names: map[uint64]string{}}
	for _, cm := range communities {
		d := newDashboard(f, today)
		out = append(out, d)
		set.ids = append(set.ids, cm.ID)
		set.byCommunity[cm.ID] = d
		set.names[cm.ID] = cm.Name
	}
	if len(set.ids) > 0 {
		if err := fillDashboards(db, &set, f, today); err != nil {
			return nil, err
		}
	}
	for _, d := range out {
		d.finish()
	}
	return out, nil
}

// dashSet is the dashboards being filled: by community and by each cycle of the range.
type dashSet struct {
	ids         []uint64
	names       map[uint64]string
	byCommunity map[uint64]*Dashboard
	byCycle     map[uint64]*Dashboard
}

type keyCount struct {
	K string
	N int64
}

// cycleCount is a count grouped by cycle, optionally with a key (an origin, a status, a level).
type cycleCount struct {
	CycleID uint64
	K       string
	N       int64
}

// dashQuery is one query of the dashboard: run reads its rows and returns what adds them to the
// dashboards. The queries run at once (runDashQueries); what they return is applied afterwards,
// one after the other in the order of the list, so the maps filled by one (the cycles, the
// resolutions) are there for the ones after it.
type dashQuery func() (apply func(), err error)

// dashParallel is how many of a dashboard's queries run at once: enough to keep both the database
// and the Go side busy, few enough to leave the read pool to other requests.
const dashParallel = 4

// runDashQueries runs the queries, at most dashParallel at a time, then applies their rows in
// order; the first error (in the order of the list) is returned and nothing is applied.
func runDashQueries(qs []dashQuery) error {
	applies := make([]func(), len(qs))
	errs := make([]error, len(qs))
	sem := make(chan struct{}, dashParallel)
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			applies[i], errs[i] = q()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, a := range applies {
		a()
	}
	return nil
}

// perCycle is a dashQuery of counts grouped by cycle_id (and k), each handed to the dashboard of
// the cycle's community.
func (set *dashSet) perCycle(what string, q *gorm.DB, add func(d *Dashboard, r cycleCount)) dashQuery {
	return func() (func(), error) {
		var rows []cycleCount
		if err := q.Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", what, err)
		}
		return func() {
			for _, r := range rows {
				if d := set.byCycle[r.CycleID]; d != nil {
					add(d, r)
				}
			}
		}, nil
	}
}

func fillDashboards(db *gorm.DB, set *dashSet, f DashboardFilter, today string) error {
	scope := func() *gorm.DB { return cycleScope(db, set.ids, f) }

	// First the cycles, each marked when it has a tally: every other figure is added to the
	// dashboard of its cycle; the tallies are read for the cycles marked here and the others are
	// counted live, so a cycle closing meanwhile counts once, one way or the other.
	q := db.Table("cycles").Select("cycles.id, cycles.community_id, cycles.month, cycles.compound_id, compounds.name AS compound_name, cycles.phase, "+
		"t.cycle_id IS NOT NULL AS tallied").
		Joins("JOIN compounds ON compounds.id = cycles.compound_id").
		Joins("LEFT JOIN cycle_tallies t ON t.cycle_id = cycles.id").
		Where("cycles.community_id IN ? AND cycles.month >= ? AND cycles.month <= ?", set.ids, f.From, f.To)
	if f.CompoundID != 0 {
		q = q.Where("cycles.compound_id = ?", f.CompoundID)
	}
	var cycles []struct {
		DashCycle
		Tallied bool
	}
	if err := q.Order("cycles.month, cycles.id").Scan(&cycles).Error; err != nil {
		return fmt.Errorf("dashboard cycles: %w", err)
	}
	var tallied, untallied []uint64
	for _, row := range cycles {
		c := row.DashCycle
		d := set.byCommunity[c.CommunityID]
		if d == nil {
			continue
		}
		if row.Tallied {
			tallied = append(tallied, c.ID)
		} else {
			untallied = append(untallied, c.ID)
		}
		c.CommunityName = set.names[c.CommunityID]
		set.byCycle[c.ID] = d
		d.Cycles.List = append(d.Cycles.List, c)
		d.Cycles.Total++
		d.Cycles.ByPhase[c.Phase]++
		if c.Phase == PhaseCancelled {
			d.Cycles.Cancelled++
		} else {
			d.Cycles.Held++
		}
	}
	if len(cycles) == 0 {
		return nil
	}
	var qs []dashQuery

	// The tallies, summed by community.
	if len(tallied) > 0 {
		qs = append(qs, func() (func(), error) {
			sums, err := sumTallies(db, tallied)
			if err != nil {
				return nil, err
			}
			return func() {
				for _, t := range sums {
					if d := set.byCommunity[t.CommunityID]; d != nil {
						t.Tally.addTo(d)
					}
				}
			}, nil
		})
	}

	// Resolutions, by status; the items are read by resolution and reach their cycle through
	// this map.
	resolutionCycle := map[uint64]uint64{}
	qs = append(qs, func() (func(), error) {
		var rows []struct {
			ID, CycleID uint64
			Status      string
		}
		if err := db.Table("resolutions").Select("id, cycle_id, status").Where("cycle_id IN (?)", scope()).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("dashboard resolutions: %w", err)
		}
		return func() {
			for _, r := range rows {
				resolutionCycle[r.ID] = r.CycleID
				if d := set.byCycle[r.CycleID]; d != nil {
					d.Resolutions.ByStatus[r.Status]++
					d.Resolutions.Total++
				}
			}
		}, nil
	})

	// Participation and satisfaction of the cycles without a tally; the items of those, and the
	// open items of the others.
	addItems := func(items []dashItem) func() {
		return func() {
			for _, it := range items {
				if d := set.byCycle[resolutionCycle[it.ResolutionID]]; d != nil {
					it.classify(&d.Items, today)
				}
			}
		}
	}
	if len(untallied) > 0 {
		qs = append(qs, func() (func(), error) {
			live, err := countArchived(db, func() *gorm.DB { return db.Table("cycles").Select("id").Where("id IN ?", untallied) })
			if err != nil {
				return nil, err
			}
			return func() {
				for _, t := range live {
					if d := set.byCycle[t.CycleID]; d != nil {
						t.addTo(d)
					}
				}
			}, nil
		}, func() (func(), error) {
			items, err := dashItems(db, db.Table("resolutions").Select("id").Where("cycle_id IN ?", untallied), false, false)
			return addItems(items), err
		})
	}
	if len(tallied) > 0 {
		qs = append(qs, func() (func(), error) {
			items, err := dashItems(db, db.Table("resolutions").Select("id").Where("cycle_id IN ?", tallied), false, true)
			return addItems(items), err
		})
	}

	// Claims, by community: the claimants are distinct people within a community.
	qs = append(qs, func() (func(), error) {
		var cls []struct {
			CommunityID                              uint64
			Made, Confirmed, ItemsClaimed, Claimants int64
		}
		if err := db.Table("item_claims c").Select(`cy.community_id, COUNT(*) AS made,
			COALESCE(SUM(CASE WHEN c.status = ? THEN 1 ELSE 0 END), 0) AS confirmed,
			COUNT(DISTINCT CASE WHEN c.status = ? THEN c.item_id END) AS items_claimed,
			COUNT(DISTINCT CASE WHEN c.status = ? THEN c.user_id END) AS claimants`, ClaimConfirmed, ClaimConfirmed, ClaimConfirmed).
			Joins("JOIN action_items i ON i.id = c.item_id").
			Joins("JOIN resolutions r ON r.id = i.resolution_id").
			Joins("JOIN cycles cy ON cy.id = r.cycle_id").
			Where("r.cycle_id IN (?)", scope()).Group("cy.community_id").Scan(&cls).Error; err != nil {
			return nil, fmt.Errorf("dashboard claims: %w", err)
		}
		return func() {
			for _, cl := range cls {
				if d := set.byCommunity[cl.CommunityID]; d != nil {
					d.Claims.Made, d.Claims.Confirmed, d.Claims.ItemsClaimed, d.Claims.Claimants = cl.Made, cl.Confirmed, cl.ItemsClaimed, cl.Claimants
				}
			}
		}, nil
	})
	// Service hours: the hours party members reported on the items they claimed, read from the
	// confirmed claims (one a person and item: a unique key) to their authors' updates.
	qs = append(qs, set.perCycle("hours", db.Table("item_claims c").Select("r.cycle_id, COALESCE(SUM(u.hours_centi), 0) AS n").
		Joins("JOIN item_updates u ON u.item_id = c.item_id AND u.author_id = c.user_id").
		Joins("JOIN action_items i ON i.id = c.item_id").
		Joins("JOIN resolutions r ON r.id = i.resolution_id").
		Where("c.status = ? AND r.cycle_id IN (?)", ClaimConfirmed, scope()).
		Group("r.cycle_id"), func(d *Dashboard, r cycleCount) { d.Claims.serviceCenti += r.N }))

	// Escalations.
	qs = append(qs, func() (func(), error) {
		escs, err := dashEscalations(db, scope())
		if err != nil {
			return nil, err
		}
		return func() {
			for _, e := range escs {
				if d := set.byCycle[e.CycleID]; d != nil {
					e.count(&d.Escalations, today)
				}
			}
		}, nil
	})
	return runDashQueries(qs)
}

// dashEscalation is what the escalation figures need of one.
type dashEscalation struct {
	ID, ResolutionID, ItemID uint64
	CycleID                  uint64
	Department, Status       string
	ResponseDue, RespondedOn string
	CreatedAt                time.Time
}

// dashEscalations reads the escalations of the resolutions of the cycles in scope.
func dashEscalations(db *gorm.DB, scope *gorm.DB) ([]dashEscalation, error) {
	var out []dashEscalation
	err := db.Table("escalations e").Select("e.id, e.resolution_id, e.item_id, r.cycle_id, e.department, e.status, e.response_due, e.responded_on, e.created_at").
		Joins("JOIN resolutions r ON r.id = e.resolution_id").
		Where("r.cycle_id IN (?)", scope).Order("e.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("dashboard escalations: %w", err)
	}
	return out, nil
}

// outcome: awaiting, overdue (awaiting past its response date), responded or responded_late.
func (e *dashEscalation) outcome(today string) string {
	if e.RespondedOn == "" {
		if e.ResponseDue < today {
			return "overdue"
		}
		return "awaiting"
	}
	if e.RespondedOn > e.ResponseDue {
		return "responded_late"
	}
	return "responded"
}

func (e *dashEscalation) count(d *DashEscalations, today string) {
	d.Total++
	switch e.outcome(today) {
	case "overdue":
		d.Awaiting++
		d.Overdue++
	case "awaiting":
		d.Awaiting++
	default:
		d.Responded++
		if e.RespondedOn > e.ResponseDue {
			d.RespondedLate++
		}
		if on, err := time.Parse(time.DateOnly, e.RespondedOn); err == nil {
			raised, _ := time.Parse(time.DateOnly, communityToday(e.CreatedAt))
			d.responseDays += int64(on.Sub(raised).Hours() / 24)
		}
	}
}

// dashItem is what the item figures need of a leaf item.
type dashItem struct {
	ID           uint64
	ResolutionID uint64
	Title        string
	Status       string
	DueDate      string
	DoneAt       *time.Time
	FirstUpdate  *string
}

// dashItems reads the leaf items of the given resolutions (a subquery of their ids) with the time
// of their first update, one seek in the index of each item's updates by time. A parent is in its
// children's resolution (items_ops.go), so the items read here tell which are parents. The
// records (withTitles) read the titles too, in the order of the ids. unsettledOnly reads only the
// leaf items that are not settled (unsettledItemSQL), and tells the leaves in SQL.
func dashItems(db *gorm.DB, resolutions *gorm.DB, withTitles, unsettledOnly bool) ([]dashItem, error) {
	var all []struct {
		ID, ResolutionID       uint64
		ParentID               *uint64
		Title, Status, DueDate string
		DoneAt                 *time.Time
		FirstUpdate            *string
	}
	cols := "i.id, i.resolution_id, i.parent_id, i.status, i.due_date, i.done_at, " +
		"(SELECT MIN(u.created_at) FROM item_updates u WHERE u.item_id = i.id) AS first_update"
	q := db.Table("action_items i").Where("i.resolution_id IN (?)", resolutions)
	if unsettledOnly {
		q = q.Where(unsettledItemSQL).Where("NOT EXISTS (SELECT 1 FROM action_items k WHERE k.parent_id = i.id)")
	}
	if withTitles {
		q = q.Select(cols + ", i.title").Order("i.id")
	} else {
		q = q.Select(cols)
	}
	if err := q.Scan(&all).Error; err != nil {
		return nil, fmt.Errorf("dashboard items: %w", err)
	}
	parents := map[uint64]bool{}
	for _, it := range all {
		if it.ParentID != nil {
			parents[*it.ParentID] = true
		}
	}
	items := make([]dashItem, 0, len(all))
	for _, it := range all {
		if parents[it.ID] {
			continue
		}
		items = append(items, dashItem{ID: it.ID, ResolutionID: it.ResolutionID, Title: it.Title, Status: it.Status,
			DueDate: it.DueDate, DoneAt: it.DoneAt, FirstUpdate: it.FirstUpdate})
	}
	return items, nil
}

// parseDBTimeText reads a time a driver hands back from an aggregate as text: RFC 3339 from
// MySQL's driver, SQLite's stored form otherwise.
func parseDBTimeText(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// outcome names the item's place in the figures: on_time, done_late, overdue, open or cancelled.
func (it *dashItem) outcome(today string) string {
	switch it.Status {
	case ItemCancelled:
		return "cancelled"
	case ItemDone:
		if it.DoneAt != nil && communityToday(*it.DoneAt) > it.DueDate {
			return "done_late"
		}
		return "on_time"
	}
	if it.DueDate < today {
		return "overdue"
	}
	return "open"
}

// responded: an update was posted, or the item was done, on or before its due date. judged: the
// item counts in the response rate (not cancelled, and started or past due).
func (it *dashItem) responded(today string) (responded, judged bool) {
	if it.Status == ItemCancelled {
		return false, false
	}
	var first *time.Time
	if it.FirstUpdate != nil {
		if t, ok := parseDBTimeText(*it.FirstUpdate); ok {
			first = &t
		}
	}
	if it.DoneAt != nil && (first == nil || it.DoneAt.Before(*first)) {
		first = it.DoneAt
	}
	if first != nil {
		return communityToday(*first) <= it.DueDate, true
	}
	return false, it.DueDate < today
}

func (it *dashItem) classify(d *DashItems, today string) {
	d.Total++
	switch it.outcome(today) {
	case "cancelled":
		d.Cancelled++
	case "on_time":
		d.Done++
		d.OnTime++
	case "done_late":
		d.Done++
		d.DoneLate++
	case "overdue":
		d.Open++
		d.Overdue++
	default:
		d.Open++
	}
	r, j := it.responded(today)
	if r {
		d.Responded++
	}
	if j {
		d.Judged++
	}
}

// Kinds of records behind the dashboard's figures (DashboardRecords).
var DashRecordKinds = []string{"cycles", "topics", "cards", "meetings", "resolutions", "items", "survey", "claims", "escalations"}

// DashRecord is one record behind a figure, with what the screen links to.
type DashRecord struct {
	Kind         string  `json:"kind"`
	ID           uint64  `json:"id"`
	Title        string  `json:"title"`
	Status       string  `json:"status"`
	Month        string  `json:"month"`
	CycleID      uint64  `json:"cycle_id"`
	CompoundName string  `json:"compound_name"`
	ResolutionID *uint64 `json:"resolution_id,omitempty"`
	// ItemID is the item an escalation is about.
	ItemID  *uint64 `json:"item_id,omitempty"`
	DueDate string  `json:"due_date,omitempty"`
	// Count is what the record adds to the figure: endorsements of a topic, cards of a cycle,
	// sign-ins of a meeting, answers of a resolution's survey, confirmed claims of an item.
	Count int64 `json:"count"`
}

// MaxDashRecords caps a list of records.
const MaxDashRecords = 500

// DashboardRecords lists the records behind one figure of a community's dashboard: kind names
// the figure; status narrows it (a resolution status, an item outcome — on_time, done_late,
// overdue, open, cancelled —, a card origin, a cycle phase).
func (s *Store) DashboardRecords(ctx context.Context, a Actor, communityID uint64, f DashboardFilter, kind, status string) ([]DashRecord, error) {
	db := s.rdb(ctx)
	if err := s.deskAccess(db, a, communityID); err != nil {
		return nil, err
	}
	today := communityToday(s.now())
	scope := cycleScope(db, []uint64{communityID}, f)
	out := []DashRecord{}
	base := func(table string) *gorm.DB {
		return db.Table(table).Joins("JOIN cycles ON cycles.id = "+table+".cycle_id").
			Joins("JOIN compounds ON compounds.id = cycles.compound_id").Where(table+".cycle_id IN (?)", scope)
	}
	var err error
	switch kind {
	case "cycles":
		q := db.Table("cycles").Select("'cycles' AS kind, cycles.id, compounds.name AS title, cycles.phase AS status, cycles.month, cycles.id AS cycle_id, compounds.name AS compound_name, (SELECT COUNT(*) FROM topics t WHERE t.cycle_id = cycles.id) AS count").
			Joins("JOIN compounds ON compounds.id = cycles.compound_id").Where("cycles.id IN (?)", scope)
		if status != "" {
			q = q.Where("cycles.phase = ?", status)
		}
		err = q.Order("cycles.month, cycles.id").Limit(MaxDashRecords).Scan(&out).Error
	case "topics":
		q := base("topics").Select("'topics' AS kind, topics.id, topics.title, topics.status, cycles.month, cycles.id AS cycle_id, compounds.name AS compound_name, (SELECT COUNT(*) FROM endorsements e WHERE e.topic_id = topics.id) AS count")
		if status != "" {
			q = q.Where("topics.status = ?", status)
		}
		err = q.Order("cycles.month, topics.id").Limit(MaxDashRecords).Scan(&out).Error
	case "cards":
		// Cards are counted per cycle: the figure is about participation, not about authors.
		q := db.Table("cycles").Select("'cards' AS kind, cycles.id, compounds.name AS title, cycles.phase AS status, cycles.month, cycles.id AS cycle_id, compounds.name AS compound_name, COUNT(cards.id) AS count").
			Joins("JOIN compounds ON compounds.id = cycles.compound_id").
			Joins("JOIN cards ON cards.cycle_id = cycles.id").Where("cycles.id IN (?)", scope)
		if status != "" {
			q = q.Where("cards.origin = ?", status)
		}
		err = q.Group("cycles.id, compounds.name, cycles.phase, cycles.month").Order("cycles.month, cycles.id").Limit(MaxDashRecords).Scan(&out).Error
	case "meetings":
		err = base("meetings").Select("'meetings' AS kind, meetings.id, meetings.title, meetings.status, cycles.month, cycles.id AS cycle_id, compounds.name AS compound_name, (SELECT COUNT(*) FROM attendances a WHERE a.meeting_id = meetings.id) AS count").
			Order("cycles.month, meetings.id").Limit(MaxDashRecords).Scan(&out).Error
	case "resolutions", "survey":
		q := base("resolutions").Select("? AS kind, resolutions.id, resolutions.title, resolutions.status, cycles.month, cycles.id AS cycle_id, compounds.name AS compound_name, resolutions.id AS resolution_id, (SELECT COUNT(*) FROM survey_answers s WHERE s.resolution_id = resolutions.id) AS count", kind)
		if status != "" {
			q = q.Where("resolutions.status = ?", status)
		}
		if kind == "survey" {
			q = q.Where("EXISTS (SELECT 1 FROM survey_answers s WHERE s.resolution_id = resolutions.id)")
		}
		err = q.Order("cycles.month, resolutions.id").Limit(MaxDashRecords).Scan(&out).Error
	case "items", "claims":
		var items []dashItem
		if items, err = dashItems(db, db.Table("resolutions").Select("id").Where("cycle_id IN (?)", cycleScope(db, []uint64{communityID}, f)), true, false); err != nil {
			return nil, err
		}
		claimed := map[uint64]int64{}
		if kind == "claims" {
			var rows []struct {
				ItemID uint64
				N      int64
			}
			if err = db.Table("item_claims").Select("item_id, COUNT(*) AS n").Where("status = ? AND community_id = ?", ClaimConfirmed, communityID).
				Group("item_id").Scan(&rows).Error; err != nil {
				return nil, fmt.Errorf("dashboard claims: %w", err)
			}
			for _, r := range rows {
				claimed[r.ItemID] = r.N
			}
		}
		var resIDs []uint64
		for _, it := range items {
			resIDs = append(resIDs, it.ResolutionID)
		}
		var cyc []struct {
			ResolutionID uint64
			Month        string
			CycleID      uint64
			CompoundName string
		}
		if len(resIDs) > 0 {
			if err = db.Table("resolutions").Select("resolutions.id AS resolution_id, cycles.month, cycles.id AS cycle_id, compounds.name AS compound_name").
				Joins("JOIN cycles ON cycles.id = resolutions.cycle_id").Joins("JOIN compounds ON compounds.id = cycles.compound_id").
				Where("resolutions.id IN ?", resIDs).Scan(&cyc).Error; err != nil {
				return nil, fmt.Errorf("dashboard item cycles: %w", err)
			}
		}
		where := map[uint64]int{}
		for i, c := range cyc {
			where[c.ResolutionID] = i
		}
		for _, it := range items {
			oc := it.outcome(today)
			if kind == "items" && status != "" && oc != status {
				continue
			}
			if kind == "claims" && claimed[it.ID] == 0 {
				continue
			}
			rid := it.ResolutionID
			r := DashRecord{Kind: kind, ID: it.ID, Title: it.Title, Status: oc, ResolutionID: &rid, DueDate: it.DueDate, Count: claimed[it.ID]}
			if i, ok := where[it.ResolutionID]; ok {
				r.Month, r.CycleID, r.CompoundName = cyc[i].Month, cyc[i].CycleID, cyc[i].CompoundName
			}
			out = append(out, r)
			if len(out) == MaxDashRecords {
				break
			}
		}
	case "escalations":
		var escs []dashEscalation
		if escs, err = dashEscalations(db, cycleScope(db, []uint64{communityID}, f)); err != nil {
			return nil, err
		}
		for _, e := range escs {
			oc := e.outcome(today)
			if status != "" && oc != status {
				continue
			}
			rid, iid := e.ResolutionID, e.ItemID
			out = append(out, DashRecord{Kind: kind, ID: e.ID, Title: e.Department, Status: oc, ResolutionID: &rid,
				ItemID: &iid, DueDate: e.ResponseDue})
			if len(out) == MaxDashRecords {
				break
			}
		}
	default:
		return nil, FieldError("kind", "unknown_record_kind")
	}
	if err != nil {
		return nil, fmt.Errorf("dashboard records: %w", err)
	}
	return out, nil
}

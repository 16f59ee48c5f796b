package models

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Ledgers (台账, docs/ledgers.md): the community's records as tables of rows, read in batches so
// that an export of years of history holds one batch in memory at a time. The store yields typed
// values (codes, not words); the HTTP layer names columns and codes in the reader's language and
// writes XLSX or CSV.

// The ledgers, as the routes name them.
const (
	LedgerResolutions  = "resolutions"
	LedgerItems        = "items"
	LedgerAttendance   = "attendance"
	LedgerPolls        = "polls"
	LedgerSatisfaction = "satisfaction"
	LedgerSpending     = "spending"
	LedgerService      = "service"
)

// Ledgers lists the ledgers in the order the API documents them.
var Ledgers = []string{LedgerResolutions, LedgerItems, LedgerAttendance, LedgerPolls, LedgerSatisfaction,
	LedgerSpending, LedgerService}

// ledgerReaders may export the ledgers and archives: the community's admins and its supervisory
// committee (and the street-level superadmin). Facilitators run the cycle and see its records
// screen by screen; the bulk record leaves the system only through those who answer for it
// (docs/ledgers.md "Who may export").
var ledgerReaders = []string{RoleAdmin, RoleCommittee}

// Column kinds tell the writer how to show a value.
const (
	ColText    = "text"    // string
	ColInt     = "int"     // int64
	ColMoney   = "money"   // int64 fen, shown in yuan
	ColPercent = "percent" // *float64 0–1, empty when nil
	ColHours   = "hours"   // int64 hundredths of an hour
	ColTime    = "time"    // *time.Time, shown in Beijing time
	ColDate    = "date"    // string YYYY-MM-DD
	ColEnum    = "enum"    // string code, named by "ledger.enum.<Enum>.<code>"
	ColBool    = "bool"    // bool
)

// LedgerColumn is one column: its key (named by "ledger.col.<key>") and its kind.
type LedgerColumn struct {
	Key  string
	Kind string
	Enum string
}

func col(key, kind string) LedgerColumn { return LedgerColumn{Key: key, Kind: kind} }
func enumCol(key, enum string) LedgerColumn {
	return LedgerColumn{Key: key, Kind: ColEnum, Enum: enum}
}

// LedgerColumns are the columns of each ledger. No ledger has a column for a phone number, a
// card's author, a household's survey answer or a voter's choice.
var LedgerColumns = map[string][]LedgerColumn{
	LedgerResolutions: {col("resolution_id", ColInt), col("month", ColText), col("compound", ColText),
		col("title", ColText), enumCol("category", "category"), enumCol("status", "resolution_status"),
		col("poll_title", ColText), col("decided_at", ColTime), col("publicity_ends_at", ColTime),
		col("objections", ColInt), col("item_count", ColInt), col("overdue_items", ColInt), col("progress", ColInt),
		col("budget", ColMoney), enumCol("funding_source", "funding"), col("spent", ColMoney),
		col("satisfaction", ColPercent), col("survey_answers", ColInt)},
	LedgerItems: {col("item_id", ColInt), col("resolution_id", ColInt), col("resolution_title", ColText),
		col("parent_id", ColInt), col("title", ColText), col("assignee", ColText), col("organization", ColText),
		col("contact", ColText), enumCol("status", "item_status"), col("progress", ColInt), col("weight", ColInt),
		col("due_date", ColDate), enumCol("timeliness", "timeliness"), col("done_at", ColTime),
		col("hours", ColHours), col("spent", ColMoney), col("updates", ColInt)},
	LedgerAttendance: {col("meeting_id", ColInt), col("month", ColText), col("compound", ColText),
		col("meeting", ColText), col("starts_at", ColTime), col("name", ColText), enumCol("method", "checkin"),
		col("checked_in_at", ColTime)},
	LedgerPolls: {col("poll_id", ColInt), col("month", ColText), col("compound", ColText), col("poll", ColText),
		enumCol("method", "method"), enumCol("secrecy", "secrecy"), col("closed_at", ColTime), col("voters", ColInt),
		col("eligible", ColInt), col("turnout", ColPercent), col("quorum_met", ColBool), enumCol("passed", "passed"),
		col("option", ColText), col("votes", ColInt), col("supporters", ColInt)},
	LedgerSatisfaction: {col("resolution_id", ColInt), col("month", ColText), col("compound", ColText),
		col("title", ColText), col("round", ColInt), col("households", ColInt), col("survey_answers", ColInt),
		col("satisfied", ColInt), col("basically_satisfied", ColInt), col("dissatisfied", ColInt),
		col("very_dissatisfied", ColInt), col("visits", ColInt), col("satisfaction", ColPercent),
		enumCol("sign_off", "sign_off")},
	LedgerSpending: {col("update_id", ColInt), col("resolution_id", ColInt), col("resolution_title", ColText),
		col("item_id", ColInt), col("title", ColText), col("recorded_at", ColTime), col("amount", ColMoney),
		col("note", ColText), col("recorded_by", ColText), col("photos", ColInt)},
	LedgerService: {col("name", ColText), col("work_unit", ColText), col("claims", ColInt), col("claims_confirmed", ColInt),
		col("items_assigned", ColInt), col("items_done", ColInt), col("hours", ColHours), col("updates", ColInt)},
}

// LedgerFilter narrows a ledger to the cycles of a month range and a compound. Service reports
// count the updates and claims made between From and To (months, inclusive).
type LedgerFilter struct {
	From, To   string // YYYY-MM, empty for open
	CompoundID uint64
}

func (f LedgerFilter) check() error {
	switch {
	case f.From != "" && !monthPattern.MatchString(f.From):
		return FieldError("from", "month_format")
	case f.To != "" && !monthPattern.MatchString(f.To):
		return FieldError("to", "month_format")
	case f.From != "" && f.To != "" && f.From > f.To:
		return FieldError("to", "month_range")
	}
	return nil
}

// cycles narrows a query joined to cycles.
func (f LedgerFilter) cycles(q *gorm.DB) *gorm.DB {
	if f.From != "" {
		q = q.Where("cycles.month >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("cycles.month <= ?", f.To)
	}
	if f.CompoundID != 0 {
		q = q.Where("cycles.compound_id = ?", f.CompoundID)
	}
	return q
}

// span is the filter's months as a half-open time range in Beijing time, for the service report.
func (f LedgerFilter) span() (from, to *time.Time) {
	if f.From != "" {
		t, _ := time.ParseInLocation("2006-01", f.From, shanghai)
		from = &t
	}
	if f.To != "" {
		t, _ := time.ParseInLocation("2006-01", f.To, shanghai)
		t = t.AddDate(0, 1, 0)
		to = &t
	}
	return from, to
}

// LedgerBatch is how many rows of the driving table one read brings in.
const LedgerBatch = 500

// Ledger checks that the actor may export the community's ledgers, then yields the ledger's rows
// in order, one value per column of LedgerColumns[kind]. Nothing is yielded when the check fails.
func (s *Store) Ledger(ctx context.Context, a Actor, communityID uint64, kind string, f LedgerFilter,
	emit func([]any) error) error {
	cols, ok := LedgerColumns[kind]
	if !ok {
		return errNotFound
	}
	if err := f.check(); err != nil {
		return err
	}
	if _, err := s.readAccess(ctx, a, communityID, ledgerReaders...); err != nil {
		return err
	}
	if f.CompoundID != 0 {
		var n int64
		if err := s.rdb(ctx).Model(&Compound{}).Where("id = ? AND community_id = ?", f.CompoundID, communityID).
			Count(&n).Error; err != nil {
			return fmt.Errorf("find compound: %w", err)
		}
		if n == 0 {
			return FieldError("compound_id", "compound_not_found")
		}
	}
	lr := &ledgerReader{db: s.rdb(ctx), cid: communityID, f: f, now: s.now(), emit: func(row []any) error {
		if len(row) != len(cols) {
			return fmt.Errorf("ledger %s: row of %d values for %d columns", kind, len(row), len(cols))
		}
		return emit(row)
	}}
	switch kind {
	case LedgerResolutions:
		return lr.resolutions()
	case LedgerItems:
		return lr.items()
	case LedgerAttendance:
		return lr.attendance()
	case LedgerPolls:
		return lr.polls()
	case LedgerSatisfaction:
		return lr.satisfaction()
	case LedgerSpending:
		return lr.spending()
	default:
		return lr.service()
	}
}

type ledgerReader struct {
	db   *gorm.DB
	cid  uint64
	f    LedgerFilter
	now  time.Time
	emit func([]any) error
}

// ledgerResolution is a resolution with where and when it was decided.
type ledgerResolution struct {
	Resolution
	Month           string
	CompoundName    string
	EvaluationRound int
}

// eachResolutions reads the community's resolutions in the filter's cycles, by id, a batch at a
// time.
func (lr *ledgerReader) eachResolutions(fn func([]ledgerResolution) error) error {
	return lr.eachResolutionsBy(LedgerBatch, fn)
}

// itemBatch is how many resolutions the item-level ledgers read at once: up to
// MaxItemsPerResolution items each, so a batch holds at most 10,000 items.
const itemBatch = 50

// eachResolutionsBy is eachResolutions with a batch size.
func (lr *ledgerReader) eachResolutionsBy(size int, fn func([]ledgerResolution) error) error {
	var after uint64
	for {
		var batch []ledgerResolution
		q := lr.db.Table("resolutions").
			Select("resolutions.*, cycles.month AS month, compounds.name AS compound_name").
			Joins("JOIN cycles ON cycles.id = resolutions.cycle_id").
			Joins("JOIN compounds ON compounds.id = cycles.compound_id").
			Where("resolutions.community_id = ? AND resolutions.id > ?", lr.cid, after)
		if err := lr.f.cycles(q).Order("resolutions.id").Limit(size).Scan(&batch).Error; err != nil {
			return fmt.Errorf("read resolutions: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		after = batch[len(batch)-1].ID
		if len(batch) < size {
			return nil
		}
	}
}

func resolutionIDs(batch []ledgerResolution) []uint64 {
	ids := make([]uint64, len(batch))
	for i := range batch {
		ids[i] = batch[i].ID
	}
	return ids
}

// itemsOf reads the items of a batch of resolutions, grouped by resolution.
func (lr *ledgerReader) itemsOf(ids []uint64) (map[uint64][]ActionItem, error) {
	var items []ActionItem
	if err := lr.db.Where("resolution_id IN ?", ids).Order("id").Find(&items).Error; err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	out := map[uint64][]ActionItem{}
	for _, it := range items {
		out[it.ResolutionID] = append(out[it.ResolutionID], it)
	}
	return out, nil
}

// sumsBy reads SUM/COUNT figures grouped by one key.
type keyedSum struct {
	K     uint64
	Total int64
	N     int64
}

func (lr *ledgerReader) sums(q *gorm.DB) (map[uint64]keyedSum, error) {
	var rows []keyedSum
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read ledger sums: %w", err)
	}
	out := make(map[uint64]keyedSum, len(rows))
	for _, r := range rows {
		out[r.K] = r
	}
	return out, nil
}

// updateSums totals one column of the updates of the resolutions' items (and counts them),
// grouped by key: "action_items.resolution_id" or "item_updates.item_id".
func (lr *ledgerReader) updateSums(resolutionIDs []uint64, key, column string) (map[uint64]keyedSum, error) {
	return lr.sums(lr.db.Table("item_updates").
		Select(key+" AS k, COALESCE(SUM(item_updates."+column+"), 0) AS total, COUNT(*) AS n").
		Joins("JOIN action_items ON action_items.id = item_updates.item_id").
		Where("action_items.resolution_id IN ?", resolutionIDs).Group(key))
}

// surveyRound is one round of a resolution's survey.
type surveyRound struct {
	ResolutionID uint64
	Round        int
	Level        string
	Via          string
	N            int64
}

func (lr *ledgerReader) surveyOf(ids []uint64) (map[uint64]map[int][]surveyRound, error) {
	var rows []surveyRound
	if err := lr.db.Model(&SurveyAnswer{}).Select("resolution_id, round, level, via, COUNT(*) AS n").
		Where("resolution_id IN ?", ids).Group("resolution_id, round, level, via").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read survey answers: %w", err)
	}
	out := map[uint64]map[int][]surveyRound{}
	for _, r := range rows {
		if out[r.ResolutionID] == nil {
			out[r.ResolutionID] = map[int][]surveyRound{}
		}
		out[r.ResolutionID][r.Round] = append(out[r.ResolutionID][r.Round], r)
	}
	return out, nil
}

// rate is (satisfied + basically satisfied) / answers, nil without answers.
func rate(rows []surveyRound) (*float64, int64) {
	var good, all int64
	for _, r := range rows {
		all += r.N
		if r.Level == SurveySatisfied || r.Level == SurveyBasicallySatisfied {
			good += r.N
		}
	}
	if all == 0 {
		return nil, 0
	}
	v := float64(good) / float64(all)
	return &v, all
}

func (lr *ledgerReader) resolutions() error {
	today := communityToday(lr.now)
	return lr.eachResolutionsBy(itemBatch, func(batch []ledgerResolution) error {
		ids := resolutionIDs(batch)
		items, err := lr.itemsOf(ids)
		if err != nil {
			return err
		}
		spent, err := lr.updateSums(ids, "action_items.resolution_id", "cost_fen")
		if err != nil {
			return err
		}
		objections, err := lr.sums(lr.db.Table("resolution_objections").Select("resolution_id AS k, COUNT(*) AS n").
			Where("resolution_id IN ?", ids).Group("resolution_id"))
		if err != nil {
			return err
		}
		polls, err := lr.pollTitles(batch)
		if err != nil {
			return err
		}
		survey, err := lr.surveyOf(ids)
		if err != nil {
			return err
		}
		for _, r := range batch {
			its := items[r.ID]
			tree := newItemTree(its)
			overdue := 0
			for i := range its {
				if its[i].isOverdue(today) {
					overdue++
				}
			}
			var budget any
			if r.BudgetFen != nil {
				budget = *r.BudgetFen
			}
			sat, answers := rate(survey[r.ID][r.EvaluationRound])
			if err := lr.emit([]any{r.ID, r.Month, r.CompoundName, r.Title, r.Category, r.Status, polls[r.PollID],
				r.DecidedAt, r.PublicityEndsAt, objections[r.ID].N, int64(len(its)), int64(overdue),
				int64(tree.progressOf(nil)), budget, r.FundingSource, spent[r.ID].Total, sat, answers}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (lr *ledgerReader) pollTitles(batch []ledgerResolution) (map[uint64]string, error) {
	ids := make([]uint64, 0, len(batch))
	for _, r := range batch {
		ids = append(ids, r.PollID)
	}
	var rows []struct {
		ID    uint64
		Title string
	}
	if err := lr.db.Model(&Poll{}).Select("id, title").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read poll titles: %w", err)
	}
	out := map[uint64]string{}
	for _, r := range rows {
		out[r.ID] = r.Title
	}
	return out, nil
}

// Timeliness of an item, for the items ledger and the board: done on or before its due date,
// done late, overdue, or open and not yet due.
const (
	TimelyOnTime   = "on_time"
	TimelyDoneLate = "done_late"
	TimelyOverdue  = "overdue"
	TimelyOpen     = "open"
	TimelyNone     = "cancelled"
)

func timeliness(it *ActionItem, today string) string {
	switch {
	case it.Status == ItemCancelled:
		return TimelyNone
	case it.Status == ItemDone && it.DoneAt != nil && it.DueDate != "" && communityToday(*it.DoneAt) > it.DueDate:
		return TimelyDoneLate
	case it.Status == ItemDone:
		return TimelyOnTime
	case it.isOverdue(today):
		return TimelyOverdue
	}
	return TimelyOpen
}

func (lr *ledgerReader) items() error {
	today := communityToday(lr.now)
	return lr.eachResolutionsBy(itemBatch, func(batch []ledgerResolution) error {
		ids := resolutionIDs(batch)
		items, err := lr.itemsOf(ids)
		if err != nil {
			return err
		}
		upd, err := lr.updateSums(ids, "item_updates.item_id", "cost_fen")
		if err != nil {
			return err
		}
		hours, err := lr.updateSums(ids, "item_updates.item_id", "hours_centi")
		if err != nil {
			return err
		}
		var userIDs, orgIDs []uint64
		for _, its := range items {
			for _, it := range its {
				if it.AssigneeUserID != nil {
					userIDs = append(userIDs, *it.AssigneeUserID)
				}
				if it.AssigneeOrgID != nil {
					orgIDs = append(orgIDs, *it.AssigneeOrgID)
				}
			}
		}
		names, err := userNames(lr.db, uniqueIDs(userIDs))
		if err != nil {
			return err
		}
		orgs, err := lr.orgNames(uniqueIDs(orgIDs))
		if err != nil {
			return err
		}
		for _, r := range batch {
			its := items[r.ID]
			tree := newItemTree(its)
			for i := range its {
				it := &its[i]
				var parent, assignee, org any
				if it.ParentID != nil {
					parent = *it.ParentID
				}
				if it.AssigneeUserID != nil {
					assignee = names[*it.AssigneeUserID]
				}
				if it.AssigneeOrgID != nil {
					org = orgs[*it.AssigneeOrgID]
				}
				if err := lr.emit([]any{it.ID, r.ID, r.Title, parent, it.Title, assignee, org, it.ContactName,
					it.Status, int64(tree.progressOf(tree.byID[it.ID])), int64(it.Weight), it.DueDate,
					timeliness(it, today), it.DoneAt, hours[it.ID].Total, upd[it.ID].Total, upd[it.ID].N}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (lr *ledgerReader) orgNames(ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   uint64
		Name string
	}
	if err := lr.db.Model(&Organization{}).Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read organizations: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// attendance lists who signed in at each meeting: names, as the attendance list shows them to
// the committee and admins; never a phone.
func (lr *ledgerReader) attendance() error {
	var after uint64
	for {
		var rows []struct {
			ID          uint64
			MeetingID   uint64
			Month       string
			Compound    string
			Meeting     string
			StartsAt    time.Time
			Name        string
			Method      string
			CreatedAt   time.Time
			CommunityID uint64
		}
		q := lr.db.Table("attendances").Select(`attendances.id, attendances.meeting_id, cycles.month AS month,
			compounds.name AS compound, meetings.title AS meeting, meetings.starts_at,
			COALESCE(users.name, attendances.walk_in_name, '') AS name, attendances.method, attendances.created_at`).
			Joins("JOIN meetings ON meetings.id = attendances.meeting_id").
			Joins("JOIN cycles ON cycles.id = meetings.cycle_id").
			Joins("JOIN compounds ON compounds.id = cycles.compound_id").
			Joins("LEFT JOIN users ON users.id = attendances.user_id").
			Where("meetings.community_id = ? AND attendances.id > ?", lr.cid, after)
		if err := lr.f.cycles(q).Order("attendances.id").Limit(LedgerBatch).Scan(&rows).Error; err != nil {
			return fmt.Errorf("read attendance: %w", err)
		}
		for _, r := range rows {
			startsAt, at := r.StartsAt, r.CreatedAt
			if err := lr.emit([]any{r.MeetingID, r.Month, r.Compound, r.Meeting, &startsAt, r.Name, r.Method, &at}); err != nil {
				return err
			}
		}
		if len(rows) < LedgerBatch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// polls lists each closed poll's stored result, one row an option: totals only, as every member
// sees them once a poll is closed. No row names a voter, so a secret ballot stays secret and a
// named one is not copied out of the system either (docs/ledgers.md "What no export shows").
func (lr *ledgerReader) polls() error {
	var after uint64
	for {
		var rows []struct {
			Poll
			Month    string
			Compound string
		}
		q := lr.db.Table("polls").Select("polls.*, cycles.month AS month, compounds.name AS compound").
			Joins("JOIN cycles ON cycles.id = polls.cycle_id").
			Joins("JOIN compounds ON compounds.id = cycles.compound_id").
			Where("polls.community_id = ? AND polls.id > ? AND polls.status = ? AND polls.result IS NOT NULL",
				lr.cid, after, PollClosed)
		if err := lr.f.cycles(q).Order("polls.id").Limit(LedgerBatch).Scan(&rows).Error; err != nil {
			return fmt.Errorf("read polls: %w", err)
		}
		for _, r := range rows {
			var sr storedResult
			if err := json.Unmarshal([]byte(*r.Result), &sr); err != nil {
				return fmt.Errorf("decode result of poll %d: %w", r.ID, err)
			}
			passed := "none"
			if sr.Result.Passed != nil {
				passed = map[bool]string{true: "yes", false: "no"}[*sr.Result.Passed]
			}
			for _, o := range sr.Result.Options {
				if err := lr.emit([]any{r.ID, r.Month, r.Compound, r.Title, r.Method, r.Secrecy, r.ClosedAt,
					sr.Result.Voters, sr.Result.Eligible, sr.Result.Turnout, sr.Result.QuorumMet, passed, o.Label,
					o.Total, o.Supporters}); err != nil {
					return err
				}
			}
		}
		if len(rows) < LedgerBatch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// satisfaction lists each round of each resolution's survey: counts by level, never a household.
func (lr *ledgerReader) satisfaction() error {
	return lr.eachResolutions(func(batch []ledgerResolution) error {
		ids := resolutionIDs(batch)
		survey, err := lr.surveyOf(ids)
		if err != nil {
			return err
		}
		var cycleIDs []uint64
		for _, r := range batch {
			cycleIDs = append(cycleIDs, r.CycleID)
		}
		households, err := lr.sums(lr.db.Table("cycles").Select("cycles.id AS k, COUNT(households.id) AS n").
			Joins("LEFT JOIN households ON households.compound_id = cycles.compound_id").
			Where("cycles.id IN ?", uniqueIDs(cycleIDs)).Group("cycles.id"))
		if err != nil {
			return err
		}
		var acc []Acceptance
		if err := lr.db.Where("resolution_id IN ?", ids).Order("id").Find(&acc).Error; err != nil {
			return fmt.Errorf("read sign-offs: %w", err)
		}
		signOff := map[[2]uint64]string{}
		for _, x := range acc {
			signOff[[2]uint64{x.ResolutionID, uint64(x.Round)}] = x.Decision
		}
		for _, r := range batch {
			rounds := make([]int, 0, len(survey[r.ID]))
			for n := range survey[r.ID] {
				rounds = append(rounds, n)
			}
			sort.Ints(rounds)
			for _, n := range rounds {
				rows := survey[r.ID][n]
				lv := map[string]int64{}
				var visits int64
				for _, x := range rows {
					lv[x.Level] += x.N
					if x.Via == SurveyViaVisit {
						visits += x.N
					}
				}
				sat, answers := rate(rows)
				so := signOff[[2]uint64{r.ID, uint64(n)}]
				if so == "" {
					so = "none"
				}
				if err := lr.emit([]any{r.ID, r.Month, r.CompoundName, r.Title, int64(n), households[r.CycleID].N, answers,
					lv[SurveySatisfied], lv[SurveyBasicallySatisfied], lv[SurveyDissatisfied], lv[SurveyVeryDissatisfied],
					visits, sat, so}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// spending lists every cost recorded in an item update (阳光财务), with who recorded it.
func (lr *ledgerReader) spending() error {
	return lr.eachResolutionsBy(itemBatch, func(batch []ledgerResolution) error {
		ids := resolutionIDs(batch)
		titles := map[uint64]string{}
		for _, r := range batch {
			titles[r.ID] = r.Title
		}
		var rows []struct {
			ItemUpdate
			ResolutionID uint64
			ItemTitle    string
			AuthorName   string
			Photos       int64
		}
		if err := lr.db.Table("item_updates").Select(`item_updates.*, action_items.resolution_id,
			action_items.title AS item_title, COALESCE(users.name, '') AS author_name,
			(SELECT COUNT(*) FROM item_update_photos p WHERE p.update_id = item_updates.id) AS photos`).
			Joins("JOIN action_items ON action_items.id = item_updates.item_id").
			Joins("LEFT JOIN users ON users.id = item_updates.author_id").
			Where("action_items.resolution_id IN ? AND item_updates.cost_fen > 0", ids).
			Order("item_updates.id").Scan(&rows).Error; err != nil {
			return fmt.Errorf("read spending: %w", err)
		}
		for _, r := range rows {
			at := r.CreatedAt
			if err := lr.emit([]any{r.ID, r.ResolutionID, titles[r.ResolutionID], r.ItemID, r.ItemTitle, &at, r.CostFen,
				r.Note, r.AuthorName, r.Photos}); err != nil {
				return err
			}
		}
		return nil
	})
}

// service is the party members' service report (双报告): for each member holding the party
// member role, in name order (no ranking), their claims, the items they carry and the hours they
// reported in the period.
func (lr *ledgerReader) service() error {
	from, to := lr.f.span()
	span := func(q *gorm.DB, column string) *gorm.DB {
		if from != nil {
			q = q.Where(column+" >= ?", from.UTC())
		}
		if to != nil {
			q = q.Where(column+" < ?", to.UTC())
		}
		return q
	}
	var members []struct {
		UserID   uint64
		Name     string
		WorkUnit string
	}
	if err := lr.db.Table("memberships").Select("memberships.user_id, users.name, memberships.work_unit").
		Joins("JOIN users ON users.id = memberships.user_id").
		Joins("JOIN member_roles ON member_roles.membership_id = memberships.id").
		Where("memberships.community_id = ? AND member_roles.role = ?", lr.cid, RolePartyMember).
		Order("users.name, memberships.user_id").Scan(&members).Error; err != nil {
		return fmt.Errorf("read party members: %w", err)
	}
	ids := make([]uint64, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	for start := 0; start < len(ids); start += LedgerBatch {
		part := ids[start:min(start+LedgerBatch, len(ids))]
		claims, err := lr.sums(span(lr.db.Table("item_claims").Select("user_id AS k, COUNT(*) AS n").
			Where("community_id = ? AND user_id IN ?", lr.cid, part), "created_at").Group("user_id"))
		if err != nil {
			return err
		}
		confirmed, err := lr.sums(span(lr.db.Table("item_claims").Select("user_id AS k, COUNT(*) AS n").
			Where("community_id = ? AND user_id IN ? AND status = ?", lr.cid, part, ClaimConfirmed), "created_at").
			Group("user_id"))
		if err != nil {
			return err
		}
		assigned, err := lr.sums(lr.db.Table("action_items").Select("assignee_user_id AS k, COUNT(*) AS n").
			Where("community_id = ? AND assignee_user_id IN ?", lr.cid, part).Group("assignee_user_id"))
		if err != nil {
			return err
		}
		done, err := lr.sums(span(lr.db.Table("action_items").Select("assignee_user_id AS k, COUNT(*) AS n").
			Where("community_id = ? AND assignee_user_id IN ? AND status = ?", lr.cid, part, ItemDone), "done_at").
			Group("assignee_user_id"))
		if err != nil {
			return err
		}
		hours, err := lr.sums(span(lr.db.Table("item_updates").
			Select("author_id AS k, COALESCE(SUM(hours_centi), 0) AS total, COUNT(*) AS n").
			Where("community_id = ? AND author_id IN ?", lr.cid, part), "created_at").Group("author_id"))
		if err != nil {
			return err
		}
		for _, m := range members[start : start+len(part)] {
			if err := lr.emit([]any{m.Name, m.WorkUnit, claims[m.UserID].N, confirmed[m.UserID].N, assigned[m.UserID].N,
				done[m.UserID].N, hours[m.UserID].Total, hours[m.UserID].N}); err != nil {
				return err
			}
		}
	}
	return nil
}

package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Satisfaction levels of the survey (满意度测评, docs/notifications.md "Survey and sign-off").
const (
	SurveySatisfied          = "satisfied"           // 满意
	SurveyBasicallySatisfied = "basically_satisfied" // 基本满意
	SurveyDissatisfied       = "dissatisfied"        // 不太满意
	SurveyVeryDissatisfied   = "very_dissatisfied"   // 不满意
)

// SurveyLevels lists the levels in the order the API documents them.
var SurveyLevels = []string{SurveySatisfied, SurveyBasicallySatisfied, SurveyDissatisfied, SurveyVeryDissatisfied}

// How an answer came: from the household itself, or recorded by a grid worker on a follow-up
// visit (回访).
const (
	SurveyViaSelf  = "self"
	SurveyViaVisit = "visit"
)

// Sign-off decisions (验收).
const (
	AcceptanceAccept = "accept"
	AcceptanceRefuse = "refuse"
)

// Limits and defaults of evaluation.
const (
	DefaultSatisfactionThreshold = 80
	MaxAcceptanceRemarksRunes    = 2000
	MaxReopenReasonRunes         = 500
)

// SurveyAnswer is one household's answer in one round of a resolution's evaluation.
type SurveyAnswer struct {
	ID           uint64    `gorm:"primaryKey" json:"id"`
	ResolutionID uint64    `json:"resolution_id"`
	Round        int       `json:"round"`
	HouseholdID  uint64    `json:"household_id"`
	Level        string    `json:"level"`
	Via          string    `json:"via"`
	RecordedBy   *uint64   `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// TableName pins the table.
func (SurveyAnswer) TableName() string { return "survey_answers" }

// Acceptance is a committee member's sign-off of a resolution, or its refusal, with remarks.
type Acceptance struct {
	ID           uint64    `gorm:"primaryKey" json:"id"`
	ResolutionID uint64    `json:"resolution_id"`
	Round        int       `json:"round"`
	UserID       *uint64   `json:"user_id"`
	UserName     string    `gorm:"->;-:migration" json:"user_name"`
	Decision     string    `json:"decision"`
	Remarks      string    `json:"remarks"`
	CreatedAt    time.Time `json:"created_at"`
}

// TableName pins the table.
func (Acceptance) TableName() string { return "resolution_acceptances" }

// evaluated is what evaluation needs of a resolution, read (and locked) in a transaction.
type evaluated struct {
	ID, CommunityID, CycleID uint64
	Title, Status            string
	EvaluationRound          int
}

func (tx *Tx) lockEvaluated(id uint64) (*evaluated, *Cycle, error) {
	var r evaluated
	if err := tx.forUpdate().Table("resolutions").Select("id", "community_id", "cycle_id", "title", "status",
		"evaluation_round").Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, nil, notFound(err)
	}
	var cy Cycle
	if err := tx.Select("id", "community_id", "compound_id", "phase", "facilitator_id").Take(&cy, r.CycleID).Error; err != nil {
		return nil, nil, notFound(err)
	}
	return &r, &cy, nil
}

// notEvaluating is the 409 of an evaluation step on a resolution in another status, naming it.
func notEvaluating(status string) error {
	if status == ResolutionAccepted {
		return Errorf(ECONFLICT, "resolution_accepted")
	}
	return (&Error{Code: ECONFLICT, Reason: "resolution_not_evaluating"}).With("status", status)
}

// SurveyInput is one answer.
type SurveyInput struct {
	Level       string
	HouseholdID *uint64
	Via         string
}

// AnswerSurvey records a household's answer to a resolution under evaluation: residents for
// their own household (verified, and living in the cycle's compound), grid workers and admins
// for any household of the compound from a follow-up visit (via "visit"). One answer a household
// and round, by the unique key: a second is 409 survey_already_answered, however many come at
// once. When the rate falls below the community's threshold the facilitator hears of it, once a
// round.
func (s *Store) AnswerSurvey(ctx context.Context, a Actor, resolutionID uint64, in SurveyInput) (*SurveyAnswer, error) {
	var out SurveyAnswer
	err := s.tx(ctx, func(tx *Tx) error {
		r, cy, err := tx.lockEvaluated(resolutionID)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, r.CommunityID)
		if err != nil {
			return err
		}
		switch {
		case !slices.Contains(SurveyLevels, in.Level):
			return FieldError("level", "unknown_survey_level")
		case in.Via != "" && in.Via != SurveyViaVisit:
			return FieldError("via", "unknown_survey_via")
		}
		via := SurveyViaSelf
		var household uint64
		if in.Via == SurveyViaVisit {
			if !acc.Has(RoleGridWorker, RoleAdmin) {
				return errForbidden
			}
			if in.HouseholdID == nil {
				return FieldError("household_id", "required")
			}
			var n int64
			if err := tx.Model(&Household{}).Where("id = ? AND compound_id = ?", *in.HouseholdID, cy.CompoundID).
				Count(&n).Error; err != nil {
				return fmt.Errorf("check household: %w", err)
			}
			if n == 0 {
				return FieldError("household_id", "household_not_in_compound")
			}
			via, household = SurveyViaVisit, *in.HouseholdID
		} else {
			var m Membership
			if err := tx.Select("id", "household_id").Where("user_id = ? AND community_id = ?", a.UserID, r.CommunityID).
				Take(&m).Error; err != nil || m.HouseholdID == nil {
				return Errorf(EFORBIDDEN, "survey_no_household")
			}
			if in.HouseholdID != nil && *in.HouseholdID != *m.HouseholdID {
				return Errorf(EFORBIDDEN, "survey_own_household_only")
			}
			if err := acc.requireVerified(); err != nil {
				return err
			}
			var n int64
			if err := tx.Model(&Household{}).Where("id = ? AND compound_id = ?", *m.HouseholdID, cy.CompoundID).
				Count(&n).Error; err != nil {
				return fmt.Errorf("check household: %w", err)
			}
			if n == 0 {
				return Errorf(EFORBIDDEN, "household_not_affected")
			}
			household = *m.HouseholdID
		}
		if err := requireNotArchived(cy.Phase); err != nil {
			return err
		}
		if r.Status != ResolutionEvaluating {
			return notEvaluating(r.Status)
		}
		out = SurveyAnswer{ResolutionID: r.ID, Round: r.EvaluationRound, HouseholdID: household, Level: in.Level, Via: via,
			RecordedBy: a.ref(), CreatedAt: tx.now}
		if err := tx.Create(&out).Error; err != nil {
			if isDuplicate(err) {
				return Errorf(ECONFLICT, "survey_already_answered")
			}
			return fmt.Errorf("record survey answer: %w", err)
		}
		// Which household said what is for the committee; members see the totals.
		if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EvSurveyAnswered, SubjectType: "resolution",
			SubjectID: r.ID, Actor: a.ref(), Visibility: VisCommittee,
			Payload: SurveyAnsweredPayload{CycleID: r.CycleID, HouseholdID: household, Level: in.Level, ResolutionID: r.ID,
				Round: r.EvaluationRound, Via: via}}); err != nil {
			return err
		}
		st, err := surveyStats(tx.DB, r, cy.CompoundID)
		if err != nil {
			return err
		}
		if !st.BelowThreshold {
			return nil
		}
		to, err := facilitatorsOf(tx.DB, r.CommunityID, r.CycleID)
		if err != nil {
			return err
		}
		return tx.Notify(Note{CommunityID: r.CommunityID, Type: NoteSurveyBelowTarget, SubjectType: "resolution", SubjectID: r.ID,
			Params: map[string]any{"resolution_id": r.ID, "resolution": r.Title, "threshold": st.Threshold},
			Key:    fmt.Sprintf("survey-low:%d:%d", r.ID, r.EvaluationRound)}, to...)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SurveyStats is a resolution's survey in its current round.
type SurveyStats struct {
	ResolutionID uint64 `json:"resolution_id"`
	Status       string `json:"status"`
	Round        int    `json:"round"`
	// Households are those of the affected compound; Answers those that answered.
	Households int64            `json:"households"`
	Answers    int64            `json:"answers"`
	Levels     map[string]int64 `json:"levels"`
	Visits     int64            `json:"visits"`
	// Rate is (satisfied + basically satisfied) / answers, 0 to 1; null before any answer.
	Rate *float64 `json:"rate"`
	// Threshold is the community's satisfaction threshold in percent; below it (with at least
	// one answer) the resolution is flagged for reopening.
	Threshold      int  `json:"threshold"`
	BelowThreshold bool `json:"below_threshold"`
	// For the viewer: their household's answer this round, and whether they may answer.
	MyHouseholdID   *uint64      `json:"my_household_id"`
	MyLevel         string       `json:"my_level"`
	CanAnswer       bool         `json:"can_answer"`
	CanRecordVisits bool         `json:"can_record_visits"`
	CanAccept       bool         `json:"can_accept"`
	CanReopen       bool         `json:"can_reopen"`
	Acceptances     []Acceptance `json:"acceptances"`
}

func surveyStats(db *gorm.DB, r *evaluated, compoundID uint64) (*SurveyStats, error) {
	st := &SurveyStats{ResolutionID: r.ID, Status: r.Status, Round: r.EvaluationRound,
		Levels: map[string]int64{}}
	for _, l := range SurveyLevels {
		st.Levels[l] = 0
	}
	if err := db.Model(&Household{}).Where("compound_id = ?", compoundID).Count(&st.Households).Error; err != nil {
		return nil, fmt.Errorf("count households: %w", err)
	}
	var rows []struct {
		Level string
		Via   string
		N     int64
	}
	if err := db.Model(&SurveyAnswer{}).Select("level, via, COUNT(*) AS n").
		Where("resolution_id = ? AND round = ?", r.ID, r.EvaluationRound).Group("level, via").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count survey answers: %w", err)
	}
	var good int64
	for _, row := range rows {
		st.Levels[row.Level] += row.N
		st.Answers += row.N
		if row.Via == SurveyViaVisit {
			st.Visits += row.N
		}
		if row.Level == SurveySatisfied || row.Level == SurveyBasicallySatisfied {
			good += row.N
		}
	}
	var th []int
	if err := db.Model(&Community{}).Where("id = ?", r.CommunityID).Pluck("satisfaction_threshold", &th).Error; err != nil {
		return nil, fmt.Errorf("read satisfaction threshold: %w", err)
	}
	st.Threshold = DefaultSatisfactionThreshold
	if len(th) == 1 {
		st.Threshold = th[0]
	}
	if st.Answers > 0 {
		rate := float64(good) / float64(st.Answers)
		st.Rate = &rate
		// good/answers < threshold/100, in integers.
		st.BelowThreshold = good*100 < int64(st.Threshold)*st.Answers
	}
	return st, nil
}

// Survey returns a resolution's survey to members of its community, with what the viewer may do.
func (s *Store) Survey(ctx context.Context, a Actor, resolutionID uint64) (*SurveyStats, error) {
	db := s.rdb(ctx)
	var r evaluated
	if err := db.Table("resolutions").Select("id", "community_id", "cycle_id", "title", "status", "evaluation_round").
		Where("id = ?", resolutionID).Take(&r).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := access(db, a, r.CommunityID)
	if err != nil {
		return nil, err
	}
	var cy Cycle
	if err := db.Select("id", "compound_id", "phase").Take(&cy, r.CycleID).Error; err != nil {
		return nil, notFound(err)
	}
	st, err := surveyStats(db, &r, cy.CompoundID)
	if err != nil {
		return nil, err
	}
	open := r.Status == ResolutionEvaluating && cy.Phase != PhaseClosed
	var m Membership
	if acc.MembershipID != 0 {
		if err := db.Select("id", "household_id").Take(&m, acc.MembershipID).Error; err != nil {
			return nil, fmt.Errorf("read membership: %w", err)
		}
	}
	if m.HouseholdID != nil {
		var n int64
		if err := db.Model(&Household{}).Where("id = ? AND compound_id = ?", *m.HouseholdID, cy.CompoundID).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("check household: %w", err)
		}
		if n == 1 {
			st.MyHouseholdID = m.HouseholdID
			var lv []string
			if err := db.Model(&SurveyAnswer{}).Where("resolution_id = ? AND round = ? AND household_id = ?", r.ID,
				r.EvaluationRound, *m.HouseholdID).Pluck("level", &lv).Error; err != nil {
				return nil, fmt.Errorf("read my answer: %w", err)
			}
			if len(lv) == 1 {
				st.MyLevel = lv[0]
			}
			st.CanAnswer = open && st.MyLevel == "" && (acc.Verified || acc.Has(staffRoles...))
		}
	}
	st.CanRecordVisits = open && acc.Has(RoleGridWorker, RoleAdmin)
	st.CanAccept = open && acc.Has(RoleCommittee)
	st.CanReopen = open && st.BelowThreshold && acc.Has(RoleFacilitator, RoleAdmin, RoleCommittee)
	st.Acceptances = []Acceptance{}
	if err := db.Select("resolution_acceptances.*, users.name AS user_name").
		Joins("LEFT JOIN users ON users.id = resolution_acceptances.user_id").
		Where("resolution_id = ?", r.ID).Order("resolution_acceptances.id").Find(&st.Acceptances).Error; err != nil {
		return nil, fmt.Errorf("read sign-offs: %w", err)
	}
	return st, nil
}

// AcceptanceInput is a committee member's sign-off.
type AcceptanceInput struct {
	Decision string
	Remarks  string
}

// SignOff records a committee member's sign-off (验收) of a resolution under evaluation: accept
// makes it accepted, which is final; refuse (remarks required) sends it back to implementing
// and starts a new evaluation round. Only the committee (role committee) signs off. The authors
// of the cards it stands on hear of either.
func (s *Store) SignOff(ctx context.Context, a Actor, resolutionID uint64, in AcceptanceInput) (*Resolution, error) {
	in.Remarks = strings.TrimSpace(in.Remarks)
	err := s.tx(ctx, func(tx *Tx) error {
		r, cy, err := tx.lockEvaluated(resolutionID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, r.CommunityID, RoleCommittee); err != nil {
			return err
		}
		switch {
		case in.Decision != AcceptanceAccept && in.Decision != AcceptanceRefuse:
			return FieldError("decision", "unknown_acceptance_decision")
		case in.Decision == AcceptanceRefuse && in.Remarks == "":
			return FieldError("remarks", "remarks_required_to_refuse")
		case utf8.RuneCountInString(in.Remarks) > MaxAcceptanceRemarksRunes:
			return FieldError("remarks", "acceptance_remarks_too_long")
		}
		if err := requireNotArchived(cy.Phase); err != nil {
			return err
		}
		if r.Status != ResolutionEvaluating {
			return notEvaluating(r.Status)
		}
		changes := map[string]any{"updated_at": tx.now}
		typ, cardTyp, note := EvResolutionAccepted, EvCardResolutionAccepted, NoteCardAccepted
		if in.Decision == AcceptanceAccept {
			changes["status"] = ResolutionAccepted
		} else {
			changes["status"], changes["evaluation_round"] = ResolutionImplementing, r.EvaluationRound+1
			typ, cardTyp, note = EvResolutionAcceptanceRefused, EvCardResolutionReturned, NoteCardReturned
		}
		res := tx.Table("resolutions").Where("id = ? AND status = ?", r.ID, ResolutionEvaluating).Updates(changes)
		if res.Error != nil {
			return fmt.Errorf("sign off resolution %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return Errorf(ECONFLICT, "resolution_not_evaluating")
		}
		if err := tx.Create(&Acceptance{ResolutionID: r.ID, Round: r.EvaluationRound, UserID: a.ref(),
			Decision: in.Decision, Remarks: in.Remarks, CreatedAt: tx.now}).Error; err != nil {
			return fmt.Errorf("record sign-off: %w", err)
		}
		return tx.evaluationStep(a, r, typ, cardTyp, note, EvaluationStepPayload{Decision: in.Decision, Remarks: ptr(in.Remarks)})
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, resolutionID)
}

// evaluationStep appends a resolution's event and its cards' timeline entries, and tells the
// cards' authors, for a step of its evaluation.
func (tx *Tx) evaluationStep(a Actor, r *evaluated, typ, cardTyp EventType, note string, payload EvaluationStepPayload) error {
	payload.CycleID, payload.ResolutionID, payload.Round, payload.Title = r.CycleID, r.ID, r.EvaluationRound, r.Title
	if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: typ, SubjectType: "resolution",
		SubjectID: r.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
		return err
	}
	full := &Resolution{ID: r.ID, CommunityID: r.CommunityID, CycleID: r.CycleID, Title: r.Title}
	cards, err := resolutionCardSet(tx.DB, r.ID)
	if err != nil {
		return err
	}
	for _, c := range cards {
		if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: cardTyp, SubjectType: "card", SubjectID: c,
			Actor: a.ref(), Visibility: VisMembers,
			Payload: CardEvaluationPayload{CycleID: r.CycleID, ResolutionID: r.ID, Title: r.Title}}); err != nil {
			return err
		}
	}
	return notifyResolutionCards(tx, a, full, note, fmt.Sprintf("%s:%d:%d", note, r.ID, r.EvaluationRound), nil)
}

// ReopenResolution sends a resolution whose survey fell below the threshold back to
// implementing, with a reason, and starts a new evaluation round: facilitators, admins and the
// committee.
func (s *Store) ReopenResolution(ctx context.Context, a Actor, resolutionID uint64, reason string) (*Resolution, error) {
	reason = strings.TrimSpace(reason)
	err := s.tx(ctx, func(tx *Tx) error {
		r, cy, err := tx.lockEvaluated(resolutionID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, r.CommunityID, RoleFacilitator, RoleAdmin, RoleCommittee); err != nil {
			return err
		}
		switch {
		case reason == "":
			return FieldError("reason", "reason_required")
		case utf8.RuneCountInString(reason) > MaxReopenReasonRunes:
			return FieldError("reason", "reopen_reason_too_long")
		}
		if err := requireNotArchived(cy.Phase); err != nil {
			return err
		}
		if r.Status != ResolutionEvaluating {
			return notEvaluating(r.Status)
		}
		st, err := surveyStats(tx.DB, r, cy.CompoundID)
		if err != nil {
			return err
		}
		if !st.BelowThreshold {
			return (&Error{Code: ECONFLICT, Reason: "survey_not_below_threshold"}).With("threshold", st.Threshold)
		}
		res := tx.Table("resolutions").Where("id = ? AND status = ?", r.ID, ResolutionEvaluating).
			Updates(map[string]any{"status": ResolutionImplementing, "evaluation_round": r.EvaluationRound + 1, "updated_at": tx.now})
		if res.Error != nil {
			return fmt.Errorf("reopen resolution %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return Errorf(ECONFLICT, "resolution_not_evaluating")
		}
		return tx.evaluationStep(a, r, EvResolutionReopened, EvCardResolutionReturned, NoteCardReturned,
			EvaluationStepPayload{Rate: ptr(st.Rate), Reason: ptr(reason), Threshold: ptr(st.Threshold)})
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, resolutionID)
}

// requireResolutionsSettled keeps a cycle from closing until every resolution is accepted or
// rejected: a closed cycle is an archive, and what is still carried out or evaluated would be
// frozen half-way (409 resolutions_not_settled, with how many and the first one's title).
func requireResolutionsSettled(tx *Tx, cycleID uint64) error {
	var open []Resolution
	if err := tx.Select("id", "title", "status").Where("cycle_id = ? AND status NOT IN ?", cycleID,
		[]string{ResolutionAccepted, ResolutionRejected}).Order("id").Find(&open).Error; err != nil {
		return fmt.Errorf("find unsettled resolutions of cycle %d: %w", cycleID, err)
	}
	if len(open) > 0 {
		return (&Error{Code: ECONFLICT, Reason: "resolutions_not_settled"}).With("count", len(open)).
			With("title", open[0].Title).With("resolution_id", open[0].ID).With("status", open[0].Status)
	}
	return nil
}

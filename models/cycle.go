package models

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Phases of the monthly cycle, in order (docs/domain.md "The monthly cycle"). Cancelled is reachable from any phase
// before resolved.
const (
	PhasePlanning        = "planning"
	PhaseTopicCollection = "topic_collection"
	PhaseTopicSelection  = "topic_selection"
	PhaseCardCollection  = "card_collection"
	PhaseRoundTable      = "round_table"
	PhaseResolved        = "resolved"
	PhaseClosed          = "closed"
	PhaseCancelled       = "cancelled"
)

// PhaseOrder is the forward path of a cycle.
var PhaseOrder = []string{PhasePlanning, PhaseTopicCollection, PhaseTopicSelection, PhaseCardCollection,
	PhaseRoundTable, PhaseResolved, PhaseClosed}

func phaseIndex(p string) int { return slices.Index(PhaseOrder, p) }

// Cycle is one month's deliberation in one compound of a community.
type Cycle struct {
	ID           uint64 `gorm:"primaryKey" json:"id"`
	CommunityID  uint64 `json:"community_id"`
	CompoundID   uint64 `json:"compound_id"`
	CompoundName string `gorm:"->;-:migration" json:"compound_name"`
	Month        string `json:"month"`
	// OpenMonth is the month while the cycle is not cancelled, null once it is: the unique key
	// on (community, open month) keeps one live cycle a month and frees a cancelled month.
	OpenMonth       *string `json:"-"`
	Phase           string  `json:"phase"`
	FacilitatorID   *uint64 `json:"facilitator_id"`
	Reason          string  `json:"reason"`
	SelectedTopicID *uint64 `json:"selected_topic_id"`
	SelectionReason string  `json:"selection_reason"`
	// Read-only summaries, so a home screen or a board needs one request.
	SelectedTopicTitle string    `gorm:"->;-:migration" json:"selected_topic_title"`
	FacilitatorName    string    `gorm:"->;-:migration" json:"facilitator_name"`
	TopicCount         int64     `gorm:"->;-:migration" json:"topic_count"`
	CardCount          int64     `gorm:"->;-:migration" json:"card_count"`
	CreatedBy          uint64    `json:"created_by"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// TableName pins the table.
func (Cycle) TableName() string { return "cycles" }

var monthPattern = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)

// phaseError is the 409 of a request made in a phase that does not allow it; the message names
// the current phase.
func phaseError(current string) *Error {
	return (&Error{Code: ECONFLICT, Reason: "phase_closed"}).With("phase", current)
}

// CycleInput opens a cycle.
type CycleInput struct {
	Month         string
	CompoundID    uint64
	Reason        string
	FacilitatorID *uint64
}

// CreateCycle opens a community's cycle for a month in the planning phase, with the reason this
// compound was chosen; facilitators and admins only. One cycle per community and month, not
// counting cancelled ones: the database's unique key decides, so two requests at once make one.
// The topics the compound's earlier cycles did not choose come back into it (carryTopics).
func (s *Store) CreateCycle(ctx context.Context, a Actor, communityID uint64, in CycleInput) (*Cycle, error) {
	if !monthPattern.MatchString(in.Month) {
		return nil, FieldError("month", "month_format")
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return nil, FieldError("reason", "required")
	}
	month := in.Month
	c := &Cycle{CommunityID: communityID, CompoundID: in.CompoundID, Month: in.Month, OpenMonth: &month,
		Phase: PhasePlanning, Reason: reason, CreatedBy: a.UserID}
	err := s.tx(ctx, func(tx *Tx) error {
		if _, err := tx.writeAccess(a, communityID, RoleFacilitator, RoleAdmin); err != nil {
			return err
		}
		var cp Compound
		if err := tx.Where("id = ? AND community_id = ?", in.CompoundID, communityID).Take(&cp).Error; err != nil {
			return FieldError("compound_id", "compound_not_found")
		}
		c.FacilitatorID = in.FacilitatorID
		if c.FacilitatorID == nil {
			c.FacilitatorID = a.ref()
		} else if err := requireRoleOf(tx, communityID, *c.FacilitatorID, RoleFacilitator, RoleAdmin); err != nil {
			return FieldError("facilitator_id", "not_a_facilitator")
		}
		if err := tx.Omit("CompoundName").Create(c).Error; err != nil {
			if isDuplicate(err) {
				return FieldError("month", "cycle_exists")
			}
			return fmt.Errorf("create cycle: %w", err)
		}
		c.CompoundName = cp.Name
		if _, err := tx.AppendEvent(EventInput{CommunityID: communityID, Type: EvCycleCreated, SubjectType: "cycle",
			SubjectID: c.ID, Actor: a.ref(), Visibility: VisPublic,
			Payload: CycleCreatedPayload{Month: c.Month, CompoundID: c.CompoundID, Reason: c.Reason}}); err != nil {
			return err
		}
		_, err := carryTopics(tx, a, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return findCycle(s.write.WithContext(ctx), c.ID)
}

// requireRoleOf checks that a user holds one of the roles in the community.
func requireRoleOf(tx *Tx, communityID, userID uint64, roles ...string) error {
	acc, err := access(tx.DB, Actor{UserID: userID}, communityID)
	if err != nil {
		return err
	}
	return acc.require(roles...)
}

// cycleQuery selects cycles with their compound, selected topic, facilitator and counts.
func cycleQuery(db *gorm.DB) *gorm.DB {
	return db.Table("cycles").Select(`cycles.*, compounds.name AS compound_name,
		COALESCE(st.title, '') AS selected_topic_title, COALESCE(fu.name, '') AS facilitator_name,
		(SELECT COUNT(*) FROM topics t WHERE t.cycle_id = cycles.id AND t.status <> ?) AS topic_count,
		(SELECT COUNT(*) FROM cards k WHERE k.cycle_id = cycles.id AND k.status = ?) AS card_count`, TopicMerged, CardVisible).
		Joins("JOIN compounds ON compounds.id = cycles.compound_id").
		Joins("LEFT JOIN topics st ON st.id = cycles.selected_topic_id").
		Joins("LEFT JOIN users fu ON fu.id = cycles.facilitator_id")
}

// findCycle reads a cycle with its summaries.
func findCycle(db *gorm.DB, id uint64) (*Cycle, error) {
	var c Cycle
	if err := cycleQuery(db).Where("cycles.id = ?", id).Take(&c).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// lockCycle reads a cycle inside a write transaction, locking its row so that phase checks and
// the changes they guard see one phase.
func (tx *Tx) lockCycle(id uint64) (*Cycle, error) {
	var c Cycle
	if err := tx.forUpdate().Select("id", "community_id", "compound_id", "phase", "selected_topic_id").
		Take(&c, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// GetCycle returns a cycle to members of its community.
func (s *Store) GetCycle(ctx context.Context, a Actor, id uint64) (*Cycle, error) {
	c, err := findCycle(s.rdb(ctx), id)
	if err != nil {
		return nil, err
	}
	if _, err := s.readAccess(ctx, a, c.CommunityID); err != nil {
		return nil, err
	}
	return c, nil
}

// ListCycles lists a community's cycles, newest month first, to its members.
func (s *Store) ListCycles(ctx context.Context, a Actor, communityID uint64) ([]Cycle, error) {
	if _, err := s.readAccess(ctx, a, communityID); err != nil {
		return nil, err
	}
	var out []Cycle
	err := cycleQuery(s.rdb(ctx)).Where("cycles.community_id = ?", communityID).
		Order("cycles.month DESC, cycles.id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	return out, nil
}

// AdvanceCycle moves a cycle's phase: forward one step (facilitators and admins), to cancelled
// from any phase before resolved (with a reason), or back one step (admins, with a reason). No
// move while one of its meetings runs (409 meeting_running: a meeting runs only at the round
// table, and ends with its minutes). It closes only once every resolution is decided (409
// owners_decision_pending otherwise) and no vote is open (409 poll_open).
func (s *Store) AdvanceCycle(ctx context.Context, a Actor, id uint64, to, reason string) (*Cycle, error) {
	reason = strings.TrimSpace(reason)
	err := s.tx(ctx, func(tx *Tx) error {
		c, err := tx.lockCycle(id)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, c.CommunityID, RoleFacilitator, RoleAdmin)
		if err != nil {
			return err
		}
		from := c.Phase
		kind := "forward"
		if err := requireNotArchived(from); err != nil {
			return err
		}
		switch {
		case from == PhaseCancelled:
			return phaseError(from)
		case to == PhaseCancelled:
			if phaseIndex(from) >= phaseIndex(PhaseResolved) {
				return phaseError(from)
			}
			if reason == "" {
				return FieldError("reason", "reason_required")
			}
			kind = "cancel"
		case phaseIndex(to) < 0:
			return FieldError("to", "unknown_phase")
		case phaseIndex(to) == phaseIndex(from)+1:
			if to == PhaseCardCollection && c.SelectedTopicID == nil {
				return Errorf(ECONFLICT, "topic_not_selected")
			}
			if to == PhaseClosed {
				if err := requireResolutionsDecided(tx, c.ID); err != nil {
					return err
				}
				if err := requireResolutionsSettled(tx, c.ID); err != nil {
					return err
				}
			}
		case phaseIndex(to) == phaseIndex(from)-1:
			if !acc.Has(RoleAdmin) {
				return errForbidden
			}
			if reason == "" {
				return FieldError("reason", "reason_required")
			}
			kind = "back"
		default:
			return (&Error{Code: ECONFLICT, Reason: "phase_skip"}).With("phase", from).With("to", to)
		}
		if err := requireNoMeetingRunning(tx, c.ID); err != nil {
			return err
		}
		if to == PhaseClosed {
			if err := requireNoPollOpen(tx, c.ID); err != nil {
				return err
			}
		}
		changes := map[string]any{"phase": to}
		if to == PhaseCancelled {
			changes["open_month"] = nil // the month is free again
		}
		if err := tx.Model(&Cycle{}).Where("id = ? AND phase = ?", c.ID, from).Updates(changes).Error; err != nil {
			return fmt.Errorf("advance cycle %d: %w", id, err)
		}
		if to == PhaseClosed {
			// The cycle is an archive from now on: its counts are kept for the dashboard
			// (models/dashboard_tally.go).
			if err := tallyCycles(tx.DB, []uint64{c.ID}); err != nil {
				return err
			}
		}
		typ := EvCycleAdvanced
		if kind == "cancel" {
			typ = EvCycleCancelled
		}
		if _, err = tx.AppendEvent(EventInput{CommunityID: c.CommunityID, Type: typ, SubjectType: "cycle", SubjectID: c.ID,
			Actor: a.ref(), Visibility: VisPublic,
			Payload: CyclePhasePayload{From: from, To: to, Reason: reason, Direction: kind}}); err != nil {
			return err
		}
		return notifyPhase(tx, a, c, to)
	})
	if err != nil {
		return nil, err
	}
	return findCycle(s.write.WithContext(ctx), id)
}

// requireNoMeetingRunning refuses to move a cycle while one of its meetings runs, naming it.
// The caller holds the cycle's row, which StartMeeting takes too, so no meeting starts meanwhile.
func requireNoMeetingRunning(tx *Tx, cycleID uint64) error {
	var running []Meeting
	if err := tx.Select("id", "title").Where("cycle_id = ? AND status = ?", cycleID, MeetingStarted).
		Order("id").Limit(1).Find(&running).Error; err != nil {
		return fmt.Errorf("find running meetings of cycle %d: %w", cycleID, err)
	}
	if len(running) > 0 {
		return (&Error{Code: ECONFLICT, Reason: "meeting_running"}).With("meeting_id", running[0].ID).
			With("title", running[0].Title)
	}
	return nil
}

// requireNoPollOpen keeps a cycle from being archived with a vote still open, naming it.
func requireNoPollOpen(tx *Tx, cycleID uint64) error {
	var open []Poll
	if err := tx.Select("id", "title").Where("cycle_id = ? AND status = ?", cycleID, PollOpen).
		Order("id").Limit(1).Find(&open).Error; err != nil {
		return fmt.Errorf("find open polls of cycle %d: %w", cycleID, err)
	}
	if len(open) > 0 {
		return (&Error{Code: ECONFLICT, Reason: "poll_open"}).With("poll_id", open[0].ID).With("title", open[0].Title)
	}
	return nil
}

// requireResolutionsDecided keeps a cycle from closing while a resolution is still a draft:
// closed means every resolution was decided (docs/domain.md "The monthly cycle"). A draft is
// either waiting for the facilitator to adopt or reject it (docs/paper.md "Draft, then adopt")
// or a Civil Code 278 matter awaiting the owners' decision.
func requireResolutionsDecided(tx *Tx, cycleID uint64) error {
	var cats []string
	if err := tx.Model(&Resolution{}).Where("cycle_id = ? AND status = ?", cycleID, ResolutionDraft).
		Pluck("category", &cats).Error; err != nil {
		return fmt.Errorf("count undecided resolutions of cycle %d: %w", cycleID, err)
	}
	var owners, review int64
	for _, c := range cats {
		if c == CategoryOrdinary {
			review++
		} else {
			owners++
		}
	}
	if review > 0 {
		return (&Error{Code: ECONFLICT, Reason: "resolution_draft_pending"}).With("count", review)
	}
	if owners > 0 {
		return (&Error{Code: ECONFLICT, Reason: "owners_decision_pending"}).With("count", owners)
	}
	return nil
}

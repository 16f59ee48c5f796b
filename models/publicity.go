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

// Their event types are declared with the others in event_types.go.

// lockResolution reads a resolution for a write, locked until the commit so that item changes,
// publicity and the move to evaluating of one resolution happen one after the other.
// lockItem locks an item's resolution, then the item, in that order (the order every item
// write takes, so two writes never wait on each other crosswise), and reads the item with a
// locking read so that it sees the latest committed row on InnoDB. settle first ends a
// publicity period that is over.
func (tx *Tx) lockItem(id uint64, settle bool) (ActionItem, *Resolution, error) {
	var it ActionItem
	if err := tx.Take(&it, id).Error; err != nil {
		return it, nil, notFound(err)
	}
	r, err := tx.lockResolution(it.ResolutionID)
	if err != nil {
		return it, nil, err
	}
	if settle {
		if _, err := tx.settlePublicity(r); err != nil {
			return it, nil, err
		}
	}
	if err := tx.forUpdate().Take(&it, id).Error; err != nil {
		return it, nil, notFound(err)
	}
	return it, r, nil
}

func (tx *Tx) lockResolution(id uint64) (*Resolution, error) {
	var r Resolution
	if err := tx.forUpdate().Take(&r, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// settlePublicity moves a resolution whose publicity period has ended to implementing, inside a
// write that already holds it locked. It reports whether it moved.
func (tx *Tx) settlePublicity(r *Resolution) (bool, error) {
	if r.Status != ResolutionPublicity || r.PublicityEndsAt == nil || tx.now.Before(*r.PublicityEndsAt) {
		return false, nil
	}
	res := tx.Model(&Resolution{}).Where("id = ? AND status = ?", r.ID, ResolutionPublicity).
		Updates(map[string]any{"status": ResolutionImplementing, "updated_at": tx.now})
	if res.Error != nil {
		return false, fmt.Errorf("end publicity of resolution %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return false, nil
	}
	r.Status = ResolutionImplementing
	ended := r.PublicityEndsAt.UTC()
	payload := ResolutionImplementingPayload{CycleID: r.CycleID, MeetingID: r.MeetingID, PollID: r.PollID,
		PublicityEndedAt: &ended, Reason: implementingPublicityEnded, ResolutionID: r.ID}
	_, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventResolutionImplementing, SubjectType: "resolution",
		SubjectID: r.ID, Visibility: VisMembers, Payload: payload})
	return true, err
}

// settleIfDue ends a resolution's publicity when its period is over by the store's clock: the
// first read or write after publicity_ends_at makes the move, once (docs/follow-through.md
// "Publicity").
func (s *Store) settleIfDue(ctx context.Context, id uint64) error {
	var r Resolution
	if err := s.rdb(ctx).Select("id", "status", "publicity_ends_at").Take(&r, id).Error; err != nil {
		return nil // the caller's own read answers not found
	}
	if r.Status != ResolutionPublicity || r.PublicityEndsAt == nil || s.now().Before(*r.PublicityEndsAt) {
		return nil
	}
	return s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockResolution(id)
		if err != nil {
			return err
		}
		_, err = tx.settlePublicity(r)
		return err
	})
}

// SettleDuePublicity ends every publicity period that is over, for a periodic job; reads and
// writes of a resolution do the same lazily. It returns how many resolutions moved.
func (s *Store) SettleDuePublicity(ctx context.Context) (int, error) {
	var ids []uint64
	if err := s.rdb(ctx).Model(&Resolution{}).Where("status = ? AND publicity_ends_at <= ?", ResolutionPublicity, s.now()).
		Order("id").Limit(500).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("find ended publicity: %w", err)
	}
	n := 0
	for _, id := range ids {
		err := s.tx(ctx, func(tx *Tx) error {
			r, err := tx.lockResolution(id)
			if err != nil {
				return err
			}
			moved, err := tx.settlePublicity(r)
			if moved {
				n++
			}
			return err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// StartPublicity publishes an adopted resolution for objections for days days (nil: the
// community's publicity period); 0 days skips publicity and starts implementing at once.
func (s *Store) StartPublicity(ctx context.Context, a Actor, id uint64, days *int) (*Resolution, error) {
	if days != nil && (*days < 0 || *days > MaxPublicityDays) {
		return nil, FieldError("days", "publicity_days_range")
	}
	err := s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockResolution(id)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, r.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		if r.Status != ResolutionAdopted {
			return Errorf(ECONFLICT, "resolution_not_adopted").With("status", r.Status)
		}
		d := DefaultPublicityDays
		if days != nil {
			d = *days
		} else {
			var c Community
			if err := tx.Select("id", "publicity_days").Take(&c, r.CommunityID).Error; err != nil {
				return fmt.Errorf("read community %d: %w", r.CommunityID, err)
			}
			d = c.PublicityDays
		}
		if d == 0 {
			if err := tx.Model(&Resolution{}).Where("id = ?", r.ID).
				Updates(map[string]any{"status": ResolutionImplementing, "updated_at": tx.now}).Error; err != nil {
				return fmt.Errorf("start implementing resolution %d: %w", r.ID, err)
			}
			payload := ResolutionImplementingPayload{CycleID: r.CycleID, Days: &d, MeetingID: r.MeetingID, PollID: r.PollID,
				Reason: implementingNoPublicity, ResolutionID: r.ID}
			_, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventResolutionImplementing, SubjectType: "resolution",
				SubjectID: r.ID, Actor: a.ref(), Visibility: VisPublic, Payload: payload})
			return err
		}
		ends := tx.now.Add(time.Duration(d) * 24 * time.Hour)
		if err := tx.Model(&Resolution{}).Where("id = ?", r.ID).Updates(map[string]any{"status": ResolutionPublicity,
			"publicity_ends_at": ends, "updated_at": tx.now}).Error; err != nil {
			return fmt.Errorf("publish resolution %d: %w", r.ID, err)
		}
		payload := ResolutionPublicizedPayload{CycleID: r.CycleID, Days: d, MeetingID: r.MeetingID, PollID: r.PollID,
			PublicityEndsAt: ends, ResolutionID: r.ID}
		_, err = tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventResolutionPublicized, SubjectType: "resolution",
			SubjectID: r.ID, Actor: a.ref(), Visibility: VisPublic, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
}

// objectors: a member who lodges an objection speaks for themselves; a member who is only on
// the supervisory committee changes nothing but sign-offs (docs/architecture.md "Security and
// privacy rules").
func mayObject(acc *Access) bool {
	if acc.Superadmin {
		return true
	}
	return slices.ContainsFunc(acc.Roles, func(r string) bool { return r != RoleCommittee })
}

// LodgeObjection records a member's objection (异议) to a resolution during its publicity.
func (s *Store) LodgeObjection(ctx context.Context, a Actor, resolutionID uint64, text string) (*Objection, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, FieldError("text", "required")
	}
	if utf8.RuneCountInString(text) > MaxObjectionRunes {
		return nil, FieldError("text", "objection_too_long")
	}
	if err := s.settleIfDue(ctx, resolutionID); err != nil {
		return nil, err
	}
	var o *Objection
	err := s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockResolution(resolutionID)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, r.CommunityID)
		if err != nil {
			return err
		}
		if !mayObject(acc) {
			return errForbidden
		}
		if err := acc.requireVerified(); err != nil {
			return err
		}
		if r.Status != ResolutionPublicity {
			return Errorf(ECONFLICT, "not_in_publicity").With("status", r.Status)
		}
		o = &Objection{CommunityID: r.CommunityID, ResolutionID: r.ID, AuthorID: a.UserID, Text: text, CreatedAt: tx.now}
		if err := tx.Create(o).Error; err != nil {
			return fmt.Errorf("lodge objection: %w", err)
		}
		payload := ObjectionLodgedPayload{CycleID: r.CycleID, MeetingID: r.MeetingID, ObjectionID: o.ID, PollID: r.PollID,
			ResolutionID: r.ID, Text: o.Text}
		_, err = tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventObjectionLodged, SubjectType: "objection",
			SubjectID: o.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// AnswerObjection records the facilitator's answer to an objection, once.
func (s *Store) AnswerObjection(ctx context.Context, a Actor, id uint64, text string) (*Objection, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, FieldError("text", "required")
	}
	if utf8.RuneCountInString(text) > MaxObjectionRunes {
		return nil, FieldError("text", "objection_too_long")
	}
	var o Objection
	err := s.tx(ctx, func(tx *Tx) error {
		if err := tx.forUpdate().Take(&o, id).Error; err != nil {
			return notFound(err)
		}
		if _, err := tx.writeAccess(a, o.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		if o.AnsweredAt != nil {
			return Errorf(ECONFLICT, "objection_answered")
		}
		now := tx.now
		o.Answer, o.AnsweredBy, o.AnsweredAt = text, a.ref(), &now
		if err := tx.Model(&Objection{}).Where("id = ?", o.ID).
			Updates(map[string]any{"answer": text, "answered_by": a.UserID, "answered_at": now}).Error; err != nil {
			return fmt.Errorf("answer objection %d: %w", o.ID, err)
		}
		_, err := tx.AppendEvent(EventInput{CommunityID: o.CommunityID, Type: EventObjectionAnswered, SubjectType: "objection",
			SubjectID: o.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: ObjectionAnsweredPayload{Answer: text, ObjectionID: o.ID, ResolutionID: o.ResolutionID}})
		return err
	})
	if err != nil {
		return nil, err
	}
	o.Mine = o.AuthorID == a.UserID
	return &o, nil
}

// BudgetPatch sets a resolution's budget and funding source; nil leaves a field as it is.
type BudgetPatch struct {
	BudgetFen     *int64
	FundingSource *string
}

// MaxBudgetFen is ten billion yuan, beyond any community project.
const MaxBudgetFen = int64(1_000_000_000_000)

// budgetStatuses are the statuses in which the budget may be set: after adoption, before
// sign-off.
var budgetStatuses = []string{ResolutionAdopted, ResolutionPublicity, ResolutionImplementing, ResolutionEvaluating}

// SetBudget records a resolution's estimated budget (fen) and funding source (阳光财务).
func (s *Store) SetBudget(ctx context.Context, a Actor, id uint64, p BudgetPatch) (*Resolution, error) {
	if p.BudgetFen != nil && (*p.BudgetFen < 0 || *p.BudgetFen > MaxBudgetFen) {
		return nil, FieldError("budget_fen", "budget_range")
	}
	if p.FundingSource != nil && !slices.Contains(FundingSources, *p.FundingSource) {
		return nil, FieldError("funding_source", "unknown_funding_source")
	}
	if err := s.settleIfDue(ctx, id); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockResolution(id)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, r.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		if !slices.Contains(budgetStatuses, r.Status) {
			return Errorf(ECONFLICT, "resolution_budget_closed").With("status", r.Status)
		}
		changed := map[string]any{}
		if p.BudgetFen != nil && (r.BudgetFen == nil || *r.BudgetFen != *p.BudgetFen) {
			changed["budget_fen"] = *p.BudgetFen
		}
		if p.FundingSource != nil && *p.FundingSource != r.FundingSource {
			changed["funding_source"] = *p.FundingSource
		}
		if len(changed) == 0 {
			return nil
		}
		payload := ResolutionBudgetPayload{CycleID: r.CycleID, MeetingID: r.MeetingID, PollID: r.PollID, ResolutionID: r.ID}
		if v, ok := changed["budget_fen"].(int64); ok {
			payload.BudgetFen = &v
		}
		if v, ok := changed["funding_source"].(string); ok {
			payload.FundingSource = &v
		}
		changed["updated_at"] = tx.now
		if err := tx.Model(&Resolution{}).Where("id = ?", r.ID).Updates(changed).Error; err != nil {
			return fmt.Errorf("set budget of resolution %d: %w", r.ID, err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventResolutionBudget, SubjectType: "resolution",
			SubjectID: r.ID, Actor: a.ref(), Visibility: VisPublic, Payload: payload})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
}

// fillFollowThrough adds the follow-through to a resolution's response: its objections, the
// weighted progress of its items, how many are overdue, and what was spent.
func (r *Resolution) fillFollowThrough(db *gorm.DB, a Actor, acc *Access, now time.Time) error {
	r.Objections = []Objection{}
	if err := db.Where("resolution_id = ?", r.ID).Order("id").Find(&r.Objections).Error; err != nil {
		return fmt.Errorf("read objections of resolution %d: %w", r.ID, err)
	}
	for i := range r.Objections {
		r.Objections[i].Mine = r.Objections[i].AuthorID == a.UserID
	}
	var items []ActionItem
	if err := db.Where("resolution_id = ?", r.ID).Order("id").Find(&items).Error; err != nil {
		return fmt.Errorf("read items of resolution %d: %w", r.ID, err)
	}
	tree := newItemTree(items)
	r.Progress = tree.progressOf(nil)
	r.ItemCount = len(items)
	today := communityToday(now)
	for i := range items {
		if items[i].isOverdue(today) {
			r.OverdueItems++
		}
	}
	var spent struct{ Total int64 }
	if err := db.Model(&ItemUpdate{}).Select("COALESCE(SUM(item_updates.cost_fen), 0) AS total").
		Joins("JOIN action_items ON action_items.id = item_updates.item_id").
		Where("action_items.resolution_id = ?", r.ID).Scan(&spent).Error; err != nil {
		return fmt.Errorf("read spending of resolution %d: %w", r.ID, err)
	}
	r.SpentFen = spent.Total
	return nil
}

// Why a resolution moved to implementing, in resolution.implementing's payload.
const (
	implementingNoPublicity    = "no_publicity"
	implementingPublicityEnded = "publicity_ended"
)

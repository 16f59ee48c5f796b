package models

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// MaxMinorityOpinionRunes is the longest minority's view, in characters.
const MaxMinorityOpinionRunes = 2000

// lockedResolution opens the review of a resolution inside tx: the cycle locked, the actor a
// facilitator or admin of its community, the cycle at a step that allows resolving, and the
// resolution's row locked.
func (tx *Tx) lockedResolution(a Actor, cycleID, id uint64) (*Resolution, error) {
	cy, err := tx.lockCycle(cycleID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.writeAccess(a, cy.CommunityID, resolutionManagers...); err != nil {
		return nil, err
	}
	if err := cy.allow(StepResolve); err != nil {
		return nil, err
	}
	var r Resolution
	if err := tx.forUpdate().Take(&r, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

func (s *Store) resolutionCycle(ctx context.Context, id uint64) (uint64, error) {
	var head Resolution
	if err := s.rdb(ctx).Select("id", "cycle_id").Take(&head, id).Error; err != nil {
		return 0, notFound(err)
	}
	return head.CycleID, nil
}

// AdoptResolution adopts a draft after the facilitator has read it out (docs/paper.md "Draft,
// then adopt"): an ordinary resolution whose vote passed and was quorate. A vote that failed is
// 409 poll_not_passed, one voted below the meeting's quorum 409 poll_not_quorate (the quorum is
// read again: it may have been raised since the draft), a Civil Code 278 matter 409
// owners_decision_required (the owners decide it), anything but a draft 409
// resolution_not_draft. Facilitators and admins, while the cycle may resolve.
func (s *Store) AdoptResolution(ctx context.Context, a Actor, id uint64) (*Resolution, error) {
	cycleID, err := s.resolutionCycle(ctx, id)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockedResolution(a, cycleID, id)
		if err != nil {
			return err
		}
		if r.Status != ResolutionDraft {
			return Errorf(ECONFLICT, "resolution_not_draft")
		}
		if tally.Is278(r.Category) {
			return Errorf(ECONFLICT, "owners_decision_required")
		}
		po, err := readPollOutcome(tx.DB, r.PollID)
		switch {
		case err != nil:
			return err
		case po.Passed == nil || !*po.Passed:
			return Errorf(ECONFLICT, "poll_not_passed")
		case po.BelowMeetingQuorum:
			return Errorf(ECONFLICT, "poll_not_quorate")
		}
		return decideResolution(tx, a, r, true, ResolutionDecidedPayload{DecidedBy: "poll"})
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
}

// RejectResolution records a draft whose vote failed (or was not quorate) as rejected, so the
// record keeps what was put to the vote and the cycle may close; a Civil Code 278 matter the
// round table turned down goes no further either. A draft whose vote passed is 409 poll_passed
// (it is adopted, or corrected first), or for a 278 matter 409 owners_decision_required. Facilitators and admins, while the cycle may resolve.
func (s *Store) RejectResolution(ctx context.Context, a Actor, id uint64) (*Resolution, error) {
	cycleID, err := s.resolutionCycle(ctx, id)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockedResolution(a, cycleID, id)
		if err != nil {
			return err
		}
		if r.Status != ResolutionDraft {
			return Errorf(ECONFLICT, "resolution_not_draft")
		}
		po, err := readPollOutcome(tx.DB, r.PollID)
		if err != nil {
			return err
		}
		passed := po.Passed != nil && *po.Passed && !po.BelowMeetingQuorum
		switch {
		case passed && tally.Is278(r.Category):
			return Errorf(ECONFLICT, "owners_decision_required")
		case passed:
			return Errorf(ECONFLICT, "poll_passed")
		}
		return decideResolution(tx, a, r, false, ResolutionDecidedPayload{DecidedBy: "poll"})
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
}

// ResolutionPatch changes a resolution: a draft's title and text (before anyone signed it), and
// the minority's view at any time the cycle may resolve. Nil leaves a field as it is.
type ResolutionPatch struct {
	Title           *string
	Text            *string
	MinorityOpinion *string
}

// UpdateResolution applies a patch, with one resolution.amended event naming each field before
// and after; a patch that changes nothing appends nothing. Facilitators and admins.
func (s *Store) UpdateResolution(ctx context.Context, a Actor, id uint64, in ResolutionPatch) (*Resolution, error) {
	trim := func(p *string) *string {
		if p == nil {
			return nil
		}
		v := strings.TrimSpace(*p)
		return &v
	}
	title, text, minority := trim(in.Title), trim(in.Text), trim(in.MinorityOpinion)
	switch {
	case title != nil && *title == "":
		return nil, FieldError("title", "required")
	case title != nil && utf8.RuneCountInString(*title) > MaxResolutionTitleRunes:
		return nil, FieldError("title", "resolution_title_too_long")
	case text != nil && *text == "":
		return nil, FieldError("text", "required")
	case text != nil && utf8.RuneCountInString(*text) > MaxResolutionTextRunes:
		return nil, FieldError("text", "resolution_text_too_long")
	case minority != nil && utf8.RuneCountInString(*minority) > MaxMinorityOpinionRunes:
		return nil, FieldError("minority_opinion", "minority_opinion_too_long")
	}
	cycleID, err := s.resolutionCycle(ctx, id)
	if err != nil {
		return nil, err
	}
	err = s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockedResolution(a, cycleID, id)
		if err != nil {
			return err
		}
		set := map[string]any{}
		var changes []ResolutionFieldChange
		change := func(field, before string, after *string) {
			if after != nil && *after != before {
				set[field] = *after
				changes = append(changes, ResolutionFieldChange{Field: field, Before: before, After: *after})
			}
		}
		change("title", r.Title, title)
		change("text", r.Text, text)
		if len(changes) > 0 {
			if r.Status != ResolutionDraft {
				return Errorf(ECONFLICT, "resolution_not_draft")
			}
			var signed int64
			if err := tx.Model(&resolutionSignature{}).Where("resolution_id = ?", r.ID).Count(&signed).Error; err != nil {
				return fmt.Errorf("count signatures of resolution %d: %w", r.ID, err)
			}
			if signed > 0 {
				return Errorf(ECONFLICT, "resolution_signed")
			}
		}
		change("minority_opinion", r.MinorityOpinion, minority)
		if len(changes) == 0 {
			return nil
		}
		set["updated_at"] = tx.Now()
		if err := tx.Model(&Resolution{}).Where("id = ?", r.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("amend resolution %d: %w", r.ID, err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EvResolutionAmended, SubjectType: "resolution",
			SubjectID: r.ID, Actor: a.ref(), Visibility: VisMembers,
			Payload: ResolutionAmendedPayload{ResolutionID: r.ID, CycleID: r.CycleID, MeetingID: r.MeetingID,
				PollID: r.PollID, Changes: changes}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
}

package models

import (
	"fmt"
)

// notifyFromEvent is where the follow-through's writers (items, claims, updates, objections,
// the move to evaluating, escalations) notify: each of their events, as it is appended inside the
// writer's transaction, passes through here, told apart by its typed payload, so their
// notifications commit or roll back with the change and the writers need no notification code
// of their own (docs/notifications.md "Writing a
// notification"). Other events pass untouched.
func (tx *Tx) notifyFromEvent(in EventInput) error {
	actor := uint64(0)
	if in.Actor != nil {
		actor = *in.Actor
	}
	switch p := in.Payload.(type) {
	case EscalationRaisedPayload:
		return tx.notifyEscalation(in.CommunityID, NoteItemEscalated, actor, fmt.Sprintf("escalated:%d", p.EscalationID),
			escalationNotice{p.EscalationID, p.ItemID, p.Department, p.TicketNo, p.ResponseDue})
	case EscalationRespondedPayload:
		return tx.notifyEscalation(in.CommunityID, NoteEscalationResponded, actor, fmt.Sprintf("escalation-responded:%d", p.EscalationID),
			escalationNotice{p.EscalationID, p.ItemID, p.Department, p.TicketNo, p.ResponseDue})
	case EscalationOverduePayload:
		return tx.notifyEscalation(in.CommunityID, NoteEscalationOverdue, 0,
			fmt.Sprintf("escalation-overdue:%d:%s", p.EscalationID, p.ResponseDue),
			escalationNotice{p.EscalationID, p.ItemID, p.Department, p.TicketNo, p.ResponseDue})
	case ItemCreatedPayload:
		if p.AssigneeUserID != nil {
			u := *p.AssigneeUserID
			return tx.notifyItem(in.CommunityID, p.ItemID, NoteItemAssigned, actor, fmt.Sprintf("assigned:%d", u), nil, u)
		}
	case ItemChangedPayload:
		if p.AssigneeUserID != nil && *p.AssigneeUserID != nil {
			u := **p.AssigneeUserID
			if err := tx.notifyItem(in.CommunityID, p.ItemID, NoteItemAssigned, actor, fmt.Sprintf("assigned:%d", u), nil, u); err != nil {
				return err
			}
		}
		if p.Status != nil && *p.Status == ItemDone {
			return tx.notifyItemCards(in.CommunityID, p.ItemID, NoteCardItemDone, fmt.Sprintf("item-done:%d", p.ItemID), nil)
		}
	case ItemUpdatePostedPayload:
		extra := map[string]any{}
		if p.Progress != nil {
			extra["progress"] = *p.Progress
		}
		return tx.notifyItemCards(in.CommunityID, p.ItemID, NoteCardItemProgress, fmt.Sprintf("update:%d", p.UpdateID), extra)
	case ClaimPayload:
		switch in.Type {
		case EventClaimMade:
			var r struct{ CycleID uint64 }
			if err := tx.Table("resolutions").Select("cycle_id").Where("id = ?", p.ResolutionID).Take(&r).Error; err != nil {
				return notFound(err)
			}
			to, err := facilitatorsOf(tx.DB, in.CommunityID, r.CycleID)
			if err != nil {
				return err
			}
			return tx.notifyItem(in.CommunityID, p.ItemID, NoteClaimSubmitted, actor, fmt.Sprintf("claim:%d", p.ClaimID), nil, to...)
		case EventClaimConfirmed, EventClaimDeclined:
			var c ItemClaim
			if err := tx.Select("id", "user_id").Take(&c, p.ClaimID).Error; err != nil {
				return notFound(err)
			}
			kind := NoteClaimConfirmed
			if in.Type == EventClaimDeclined {
				kind = NoteClaimDeclined
			}
			return tx.notifyItem(in.CommunityID, p.ItemID, kind, actor, fmt.Sprintf("claim-decided:%d", c.ID), nil, c.UserID)
		}
	case ObjectionLodgedPayload:
		var r struct {
			ID, CycleID uint64
			Title       string
		}
		if err := tx.Table("resolutions").Select("id", "cycle_id", "title").Where("id = ?", p.ResolutionID).
			Take(&r).Error; err != nil {
			return notFound(err)
		}
		to, err := facilitatorsOf(tx.DB, in.CommunityID, r.CycleID)
		if err != nil {
			return err
		}
		return tx.Notify(Note{CommunityID: in.CommunityID, Type: NoteObjection, SubjectType: "objection", SubjectID: in.SubjectID,
			Params: map[string]any{"resolution_id": r.ID, "resolution": r.Title, "objection_id": in.SubjectID},
			Key:    fmt.Sprintf("objection:%d", in.SubjectID), Except: actor}, to...)
	case ResolutionEvaluatingPayload:
		r := &Resolution{}
		if err := tx.Select("id", "community_id", "cycle_id", "title").Take(r, in.SubjectID).Error; err != nil {
			return notFound(err)
		}
		return notifyResolutionCards(tx, Actor{}, r, NoteCardEvaluating, fmt.Sprintf("evaluating:%d", r.ID), nil)
	}
	return nil
}

// notifyItem tells users something about an item, naming it and its resolution (never a person).
func (tx *Tx) notifyItem(communityID, itemID uint64, kind string, except uint64, key string, extra map[string]any, users ...uint64) error {
	var it struct {
		ID, ResolutionID uint64
		Title, DueDate   string
		Progress         int
	}
	if err := tx.Table("action_items").Select("id", "resolution_id", "title", "due_date", "progress").Where("id = ?", itemID).
		Take(&it).Error; err != nil {
		return notFound(err)
	}
	var res []string
	if err := tx.Model(&Resolution{}).Where("id = ?", it.ResolutionID).Pluck("title", &res).Error; err != nil {
		return fmt.Errorf("read resolution %d: %w", it.ResolutionID, err)
	}
	params := map[string]any{"item_id": it.ID, "item": it.Title, "due_date": it.DueDate, "resolution_id": it.ResolutionID,
		"progress": it.Progress}
	if len(res) == 1 {
		params["resolution"] = res[0]
	}
	for k, v := range extra {
		params[k] = v
	}
	return tx.Notify(Note{CommunityID: communityID, Type: kind, SubjectType: "item", SubjectID: it.ID, Params: params,
		Key: key, Except: except}, users...)
}

// notifyItemCards tells the authors of the cards an item's resolution stands on a step of the
// item (the story of their card goes on).
func (tx *Tx) notifyItemCards(communityID, itemID uint64, kind, key string, extra map[string]any) error {
	var it struct {
		ID, ResolutionID uint64
		Title            string
		Progress         int
	}
	if err := tx.Table("action_items").Select("id", "resolution_id", "title", "progress").Where("id = ?", itemID).
		Take(&it).Error; err != nil {
		return notFound(err)
	}
	r := &Resolution{}
	if err := tx.Select("id", "community_id", "cycle_id", "title").Take(r, it.ResolutionID).Error; err != nil {
		return notFound(err)
	}
	params := map[string]any{"item_id": it.ID, "item": it.Title, "progress": it.Progress}
	for k, v := range extra {
		params[k] = v
	}
	return notifyResolutionCards(tx, Actor{}, r, kind, key, params)
}

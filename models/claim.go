package models

import (
	"context"
	"fmt"
	"slices"
	"sort"
)

// Claims: residents order, the community dispatches, party members take the order
// (居民点单、社区派单、党员接单, docs/domain.md "Who takes part"; docs/follow-through.md "Claims").

// claimableStatuses are the resolution statuses whose items may be claimed.
var claimableStatuses = []string{ResolutionAdopted, ResolutionPublicity, ResolutionImplementing}

// ClaimItem records a party member's claim on an item open for claims, pending the
// facilitator's decision. A second claim by the same person answers 409.
func (s *Store) ClaimItem(ctx context.Context, a Actor, itemID uint64) (*ItemClaim, error) {
	var c *ItemClaim
	err := s.tx(ctx, func(tx *Tx) error {
		it, r, err := tx.lockItem(itemID, true)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, it.CommunityID, RolePartyMember); err != nil {
			return err
		}
		if !it.OpenForClaims || it.AssigneeUserID != nil || itemClosed(it.Status) || !slices.Contains(claimableStatuses, r.Status) {
			return Errorf(ECONFLICT, "item_not_open_for_claims")
		}
		c = &ItemClaim{CommunityID: it.CommunityID, ItemID: it.ID, UserID: a.UserID, Status: ClaimPending, CreatedAt: tx.now}
		if err := tx.Create(c).Error; err != nil {
			if isDuplicate(err) {
				return Errorf(ECONFLICT, "claim_exists")
			}
			return fmt.Errorf("claim item %d: %w", it.ID, err)
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: it.CommunityID, Type: EventClaimMade, SubjectType: "item", SubjectID: it.ID,
			Actor: a.ref(), Visibility: VisMembers, Payload: ClaimPayload{ClaimID: c.ID, ItemID: it.ID, ResolutionID: r.ID}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DecideClaim confirms or declines a pending claim; facilitators and admins. Confirming makes
// the claimant the item's assignee, closes the item for claims and declines the other pending
// claims on it.
func (s *Store) DecideClaim(ctx context.Context, a Actor, claimID uint64, confirm bool) (*ItemClaim, error) {
	var c ItemClaim
	err := s.tx(ctx, func(tx *Tx) error {
		if err := tx.Take(&c, claimID).Error; err != nil {
			return notFound(err)
		}
		var it ActionItem
		if err := tx.Take(&it, c.ItemID).Error; err != nil {
			return notFound(err)
		}
		r, err := tx.lockResolution(it.ResolutionID)
		if err != nil {
			return err
		}
		if err := tx.forUpdate().Take(&c, claimID).Error; err != nil {
			return notFound(err)
		}
		if err := tx.forUpdate().Take(&it, c.ItemID).Error; err != nil {
			return notFound(err)
		}
		if _, err := tx.writeAccess(a, c.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		if c.Status != ClaimPending {
			return Errorf(ECONFLICT, "claim_decided")
		}
		now := tx.now
		to := ClaimDeclined
		if confirm {
			to = ClaimConfirmed
			if it.AssigneeUserID != nil || itemClosed(it.Status) {
				return Errorf(ECONFLICT, "item_already_assigned")
			}
		}
		if err := tx.Model(&ItemClaim{}).Where("id = ?", c.ID).
			Updates(map[string]any{"status": to, "decided_by": a.UserID, "decided_at": now}).Error; err != nil {
			return fmt.Errorf("decide claim %d: %w", c.ID, err)
		}
		c.Status, c.DecidedBy, c.DecidedAt = to, a.ref(), &now
		typ := EventClaimDeclined
		if confirm {
			typ = EventClaimConfirmed
			if err := tx.Model(&ActionItem{}).Where("id = ?", it.ID).Updates(map[string]any{"assignee_user_id": c.UserID,
				"open_for_claims": false, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("assign item %d: %w", it.ID, err)
			}
			var others []uint64
			if err := tx.Model(&ItemClaim{}).Where("item_id = ? AND status = ? AND id <> ?", it.ID, ClaimPending, c.ID).
				Order("id").Pluck("id", &others).Error; err != nil {
				return fmt.Errorf("read claims of item %d: %w", it.ID, err)
			}
			for _, o := range others {
				if err := tx.Model(&ItemClaim{}).Where("id = ?", o).
					Updates(map[string]any{"status": ClaimDeclined, "decided_by": a.UserID, "decided_at": now}).Error; err != nil {
					return fmt.Errorf("decline claim %d: %w", o, err)
				}
				if _, err := tx.AppendEvent(EventInput{CommunityID: it.CommunityID, Type: EventClaimDeclined, SubjectType: "item",
					SubjectID: it.ID, Actor: a.ref(), Visibility: VisMembers, Payload: ClaimPayload{ClaimID: o, ItemID: it.ID,
						Reason: claimAnotherConfirmed, ResolutionID: r.ID}}); err != nil {
					return err
				}
			}
		}
		_, err = tx.AppendEvent(EventInput{CommunityID: it.CommunityID, Type: typ, SubjectType: "item", SubjectID: it.ID,
			Actor: a.ref(), Visibility: VisMembers, Payload: ClaimPayload{ClaimID: c.ID, ItemID: it.ID,
				ResolutionID: r.ID, UserID: c.UserID}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ClaimableItem is an item open for claims as a party member sees it: with the reason it is
// suggested — the skills it needs that the reader has, and the reader's current load.
type ClaimableItem struct {
	ItemView
	MatchedSkills []string `json:"matched_skills"`
	Load          int      `json:"load"`
	MyClaim       string   `json:"my_claim"`
}

// ClaimableItems lists a community's items open for claims, those that need the reader's skills
// first (more matching skills first, then by due date); to party members and staff.
func (s *Store) ClaimableItems(ctx context.Context, a Actor, communityID uint64) ([]ClaimableItem, int, error) {
	acc, err := s.readAccess(ctx, a, communityID, RolePartyMember, RoleFacilitator, RoleAdmin, RoleCommittee)
	if err != nil {
		return nil, 0, err
	}
	db := s.rdb(ctx)
	var items []ActionItem
	if err := db.Joins("JOIN resolutions ON resolutions.id = action_items.resolution_id").
		Where("action_items.community_id = ? AND action_items.open_for_claims = ? AND action_items.assignee_user_id IS NULL", communityID, true).
		Where("action_items.status IN ? AND resolutions.status IN ?", []string{ItemTodo, ItemInProgress, ItemBlocked}, claimableStatuses).
		Order("action_items.id").Limit(500).Find(&items).Error; err != nil {
		return nil, 0, fmt.Errorf("read claimable items: %w", err)
	}
	var mine []string
	if acc.MembershipID != 0 {
		if err := db.Model(&memberSkill{}).Where("membership_id = ?", acc.MembershipID).Order("skill").Pluck("skill", &mine).Error; err != nil {
			return nil, 0, fmt.Errorf("read skills: %w", err)
		}
	}
	var load int64
	if err := db.Model(&ActionItem{}).Where("community_id = ? AND assignee_user_id = ? AND status IN ?", communityID, a.UserID,
		[]string{ItemTodo, ItemInProgress, ItemBlocked}).Count(&load).Error; err != nil {
		return nil, 0, fmt.Errorf("count my items: %w", err)
	}
	var claims []ItemClaim
	if err := db.Where("community_id = ? AND user_id = ?", communityID, a.UserID).Find(&claims).Error; err != nil {
		return nil, 0, fmt.Errorf("read my claims: %w", err)
	}
	trees := map[uint64]*itemTree{}
	for _, it := range items {
		if trees[it.ResolutionID] == nil {
			_, t, err := loadResolutionItems(db, it.ResolutionID)
			if err != nil {
				return nil, 0, err
			}
			trees[it.ResolutionID] = t
		}
	}
	views, err := viewItems(db, a, acc, s.now(), items, trees)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ClaimableItem, 0, len(views))
	for _, v := range views {
		ci := ClaimableItem{ItemView: v, MatchedSkills: []string{}, Load: int(load)}
		for _, sk := range v.Skills {
			if slices.Contains(mine, sk) {
				ci.MatchedSkills = append(ci.MatchedSkills, sk)
			}
		}
		for _, c := range claims {
			if c.ItemID == v.ID {
				ci.MyClaim = c.Status
			}
		}
		out = append(out, ci)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i].MatchedSkills) != len(out[j].MatchedSkills) {
			return len(out[i].MatchedSkills) > len(out[j].MatchedSkills)
		}
		return out[i].DueDate < out[j].DueDate
	})
	return out, int(load), nil
}

// claimAnotherConfirmed is why a pending claim was declined when another was confirmed, in
// claim.declined's payload.
const claimAnotherConfirmed = "another_confirmed"

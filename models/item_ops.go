package models

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// The follow-through's operations (docs/follow-through.md): items planned by the facilitator,
// carried out by their assignee, claimed by party members, reported with evidence.

// communityToday is the date in the community's calendar (China Standard Time) at t, as
// 'YYYY-MM-DD'.
func communityToday(t time.Time) string { return t.In(shanghai).Format(time.DateOnly) }

// closed: done or cancelled.
func itemClosed(status string) bool { return status == ItemDone || status == ItemCancelled }

// isOverdue: past its due date in the community's calendar and neither done nor cancelled.
func (it *ActionItem) isOverdue(today string) bool {
	return !itemClosed(it.Status) && it.DueDate != "" && it.DueDate < today
}

// SkillList decodes the stored skills.
func (it *ActionItem) SkillList() []string {
	out := []string{}
	if it.Skills != "" {
		_ = json.Unmarshal([]byte(it.Skills), &out)
	}
	return out
}

// itemTree is a resolution's items by parent, for the weighted rollup.
type itemTree struct {
	byID     map[uint64]*ActionItem
	children map[uint64][]*ActionItem // 0: the top level
}

func newItemTree(items []ActionItem) *itemTree {
	t := &itemTree{byID: map[uint64]*ActionItem{}, children: map[uint64][]*ActionItem{}}
	for i := range items {
		it := &items[i]
		t.byID[it.ID] = it
		var p uint64
		if it.ParentID != nil {
			p = *it.ParentID
		}
		t.children[p] = append(t.children[p], it)
	}
	return t
}

// progressOf is the weighted progress (0–100) of an item, or of the whole resolution for nil:
// a leaf's own progress (100 when done); a parent's is the weighted mean of its children's,
// cancelled children left out.
func (t *itemTree) progressOf(it *ActionItem) int {
	var key uint64
	if it != nil {
		key = it.ID
		if it.Status == ItemDone {
			return 100
		}
	}
	kids := t.children[key]
	var sumW, sum float64
	for _, k := range kids {
		if k.Status == ItemCancelled {
			continue
		}
		w := float64(max(k.Weight, 1))
		sumW += w
		sum += w * float64(t.progressOf(k))
	}
	if sumW == 0 {
		if it != nil && len(kids) == 0 {
			return it.Progress
		}
		return 0
	}
	return int(math.Round(sum / sumW))
}

// depth is how many ancestors an item has.
func (t *itemTree) depth(id uint64) int {
	d := 0
	for it := t.byID[id]; it != nil && it.ParentID != nil; it = t.byID[*it.ParentID] {
		d++
	}
	return d
}

// ItemView is an item as the API shows it: its rolled-up progress, whether it is overdue, its
// skills, the assignee's and organization's names, and — in lists of one's own items — the
// resolution's title.
type ItemView struct {
	ActionItem
	Skills          []string `json:"skills"`
	Overdue         bool     `json:"overdue"`
	HasChildren     bool     `json:"has_children"`
	AssigneeName    string   `json:"assignee_name"`
	AssigneeOrgName string   `json:"assignee_org_name"`
	ResolutionTitle string   `json:"resolution_title"`
	// MayEdit: the reader may change the item and post updates (its assignee or a facilitator).
	MayEdit bool `json:"may_edit"`
	// Escalated: an escalation of the item awaits its response (docs/follow-through.md
	// "Escalation"); EscalationOverdue: past its response deadline.
	Escalated         bool `json:"escalated"`
	EscalationOverdue bool `json:"escalation_overdue"`
	// Escalations of the item, on the item's own page.
	Escalations []EscalationView `json:"escalations,omitempty"`
	// Claims of the item: all of them to facilitators, one's own to a claimant.
	Claims  []ClaimView      `json:"claims,omitempty"`
	Updates []ItemUpdateView `json:"updates,omitempty"`
}

// ClaimView is a claim with the claimant's name.
type ClaimView struct {
	ItemClaim
	UserName string `json:"user_name"`
}

// ItemUpdateView is an update with its author's name and photos.
type ItemUpdateView struct {
	ItemUpdate
	Hours      float64  `json:"hours"`
	AuthorName string   `json:"author_name"`
	PhotoIDs   []uint64 `json:"photo_ids"`
	PhotoURLs  []string `json:"photo_urls"`
}

// viewItems shapes items for a reader, rolling progress up within each resolution.
func viewItems(db *gorm.DB, a Actor, acc *Access, now time.Time, items []ActionItem, trees map[uint64]*itemTree) ([]ItemView, error) {
	today := communityToday(now)
	userIDs, orgIDs := []uint64{}, []uint64{}
	for _, it := range items {
		if it.AssigneeUserID != nil {
			userIDs = append(userIDs, *it.AssigneeUserID)
		}
		if it.AssigneeOrgID != nil {
			orgIDs = append(orgIDs, *it.AssigneeOrgID)
		}
	}
	names, err := userNames(db, userIDs)
	if err != nil {
		return nil, err
	}
	orgs := map[uint64]string{}
	if len(orgIDs) > 0 {
		var os []Organization
		if err := db.Where("id IN ?", orgIDs).Find(&os).Error; err != nil {
			return nil, fmt.Errorf("read organizations: %w", err)
		}
		for _, o := range os {
			orgs[o.ID] = o.Name
		}
	}
	itemIDs := make([]uint64, 0, len(items))
	for _, it := range items {
		itemIDs = append(itemIDs, it.ID)
	}
	escalated, err := awaitingEscalations(db, itemIDs)
	if err != nil {
		return nil, err
	}
	out := make([]ItemView, 0, len(items))
	for _, it := range items {
		v := ItemView{ActionItem: it, Skills: it.SkillList(), Overdue: it.isOverdue(today)}
		if e, ok := escalated[it.ID]; ok {
			v.Escalated, v.EscalationOverdue = true, e.escalationOverdue(today)
		}
		if t := trees[it.ResolutionID]; t != nil {
			v.HasChildren = len(t.children[it.ID]) > 0
			if n := t.byID[it.ID]; n != nil {
				v.Progress = t.progressOf(n)
			}
		}
		if it.AssigneeUserID != nil {
			v.AssigneeName = names[*it.AssigneeUserID]
		}
		if it.AssigneeOrgID != nil {
			v.AssigneeOrgName = orgs[*it.AssigneeOrgID]
		}
		if acc != nil {
			v.MayEdit = mayWorkOn(acc, a, &it)
		}
		if acc == nil || !acc.Has(RoleAdmin) {
			v.ContactPhone = maskPhone(v.ContactPhone)
		}
		out = append(out, v)
	}
	return out, nil
}

// maskPhone shows a contact's phone as 138****0000.
func maskPhone(p string) string {
	if len(p) < 7 {
		return p
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

func userNames(db *gorm.DB, ids []uint64) (map[uint64]string, error) {
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []struct {
		ID   uint64
		Name string
	}
	if err := db.Table("users").Select("id", "name").Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

// mayWorkOn: facilitators and admins work on every item; an assignee on their own.
func mayWorkOn(acc *Access, a Actor, it *ActionItem) bool {
	if acc.Has(resolutionManagers...) {
		return true
	}
	return it.AssigneeUserID != nil && *it.AssigneeUserID == a.UserID
}

// planningStatuses: items may be planned once a resolution is adopted, until it is evaluated.
var planningStatuses = []string{ResolutionAdopted, ResolutionPublicity, ResolutionImplementing}

// ItemInput creates an item.
type ItemInput struct {
	Title          string
	ParentID       *uint64
	Weight         *int
	DueDate        string
	Skills         []string
	AssigneeUserID *uint64
	AssigneeOrgID  *uint64
	ContactName    string
	ContactPhone   string
	OpenForClaims  bool
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func normalizeSkills(in []string) ([]string, error) {
	if len(in) > MaxItemSkills {
		return nil, FieldError("skills", "too_many_skills")
	}
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if utf8.RuneCountInString(s) > MaxItemSkillRunes {
			return nil, FieldError("skills", "skill_too_long")
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// checkAssignee checks that a user assignee is a member and an organization belongs to the
// community.
func checkAssignee(db *gorm.DB, communityID uint64, userID, orgID *uint64) error {
	if userID != nil {
		var n int64
		if err := db.Table("memberships").Where("user_id = ? AND community_id = ?", *userID, communityID).Count(&n).Error; err != nil {
			return fmt.Errorf("find assignee: %w", err)
		}
		if n == 0 {
			return FieldError("assignee_user_id", "assignee_not_member")
		}
	}
	if orgID != nil {
		var n int64
		if err := db.Model(&Organization{}).Where("id = ? AND community_id = ?", *orgID, communityID).Count(&n).Error; err != nil {
			return fmt.Errorf("find organization: %w", err)
		}
		if n == 0 {
			return FieldError("assignee_org_id", "organization_not_found")
		}
	}
	return nil
}

// CreateItem adds an action item to a resolution; facilitators and admins only, from adoption
// until every item is closed.
func (s *Store) CreateItem(ctx context.Context, a Actor, resolutionID uint64, in ItemInput) (*ItemView, error) {
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		return nil, FieldError("title", "required")
	case utf8.RuneCountInString(title) > MaxItemTitleRunes:
		return nil, FieldError("title", "item_title_too_long")
	case !validDate(in.DueDate):
		return nil, FieldError("due_date", "date_format")
	}
	weight := 1
	if in.Weight != nil {
		weight = *in.Weight
	}
	if weight < 1 || weight > MaxItemWeight {
		return nil, FieldError("weight", "item_weight_range")
	}
	skills, err := normalizeSkills(in.Skills)
	if err != nil {
		return nil, err
	}
	skillsJSON, _ := json.Marshal(skills)
	if err := s.settleIfDue(ctx, resolutionID); err != nil {
		return nil, err
	}
	var id uint64
	err = s.tx(ctx, func(tx *Tx) error {
		r, err := tx.lockResolution(resolutionID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, r.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		if !slices.Contains(planningStatuses, r.Status) {
			return Errorf(ECONFLICT, "resolution_not_open_for_items").With("status", r.Status)
		}
		var items []ActionItem
		if err := tx.forUpdate().Where("resolution_id = ?", r.ID).Find(&items).Error; err != nil {
			return fmt.Errorf("read items: %w", err)
		}
		if len(items) >= MaxItemsPerResolution {
			return FieldError("title", "too_many_items")
		}
		tree := newItemTree(items)
		if in.ParentID != nil {
			p := tree.byID[*in.ParentID]
			switch {
			case p == nil:
				return FieldError("parent_id", "parent_not_found")
			case itemClosed(p.Status):
				return FieldError("parent_id", "parent_closed")
			case tree.depth(p.ID)+1 >= MaxItemDepth:
				return FieldError("parent_id", "item_too_deep")
			}
		}
		if err := checkAssignee(tx.DB, r.CommunityID, in.AssigneeUserID, in.AssigneeOrgID); err != nil {
			return err
		}
		it := ActionItem{CommunityID: r.CommunityID, ResolutionID: r.ID, ParentID: in.ParentID, Title: title, Weight: weight,
			DueDate: in.DueDate, Skills: string(skillsJSON), AssigneeUserID: in.AssigneeUserID, AssigneeOrgID: in.AssigneeOrgID,
			ContactName: strings.TrimSpace(in.ContactName), ContactPhone: strings.TrimSpace(in.ContactPhone), Status: ItemTodo,
			OpenForClaims: in.OpenForClaims && in.AssigneeUserID == nil, CreatedBy: a.UserID, CreatedAt: tx.now, UpdatedAt: tx.now}
		if err := tx.Create(&it).Error; err != nil {
			return fmt.Errorf("create item: %w", err)
		}
		id = it.ID
		_, err = tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventItemCreated, SubjectType: "item", SubjectID: it.ID,
			Actor: a.ref(), Visibility: VisMembers, Payload: ItemCreatedPayload{AssigneeOrgID: it.AssigneeOrgID,
				AssigneeUserID: it.AssigneeUserID, DueDate: it.DueDate, ItemID: it.ID, OpenForClaims: it.OpenForClaims,
				ParentID: it.ParentID, ResolutionID: r.ID, Skills: skills, Title: it.Title, Weight: it.Weight}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.GetItem(ctx, a, id)
}

// loadResolutionItems reads a resolution's items and their tree. Writes pass a locking read
// (tx.forUpdate()): on InnoDB a plain read inside a transaction sees the snapshot taken at its
// first read, which may predate the item changes committed while it waited for the
// resolution's lock.
func loadResolutionItems(db *gorm.DB, resolutionID uint64) ([]ActionItem, *itemTree, error) {
	var items []ActionItem
	if err := db.Where("resolution_id = ?", resolutionID).Order("id").Find(&items).Error; err != nil {
		return nil, nil, fmt.Errorf("read items of resolution %d: %w", resolutionID, err)
	}
	cp := slices.Clone(items)
	return items, newItemTree(cp), nil
}

// ListItems lists a resolution's items, parents before children in the order they were added,
// to members of its community.
func (s *Store) ListItems(ctx context.Context, a Actor, resolutionID uint64) ([]ItemView, error) {
	if err := s.settleIfDue(ctx, resolutionID); err != nil {
		return nil, err
	}
	db := s.rdb(ctx)
	var r Resolution
	if err := db.Select("id", "community_id").Take(&r, resolutionID).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := access(db, a, r.CommunityID)
	if err != nil {
		return nil, err
	}
	items, tree, err := loadResolutionItems(db, r.ID)
	if err != nil {
		return nil, err
	}
	return viewItems(db, a, acc, s.now(), items, map[uint64]*itemTree{r.ID: tree})
}

// GetItem returns one item with its updates and claims, to members of its community.
func (s *Store) GetItem(ctx context.Context, a Actor, id uint64) (*ItemView, error) {
	db := s.write.WithContext(ctx)
	var it ActionItem
	if err := db.Take(&it, id).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := access(db, a, it.CommunityID)
	if err != nil {
		return nil, err
	}
	_, tree, err := loadResolutionItems(db, it.ResolutionID)
	if err != nil {
		return nil, err
	}
	vs, err := viewItems(db, a, acc, s.now(), []ActionItem{it}, map[uint64]*itemTree{it.ResolutionID: tree})
	if err != nil {
		return nil, err
	}
	v := &vs[0]
	var title []string
	if err := db.Model(&Resolution{}).Where("id = ?", it.ResolutionID).Pluck("title", &title).Error; err == nil && len(title) == 1 {
		v.ResolutionTitle = title[0]
	}
	if v.Updates, err = itemUpdates(db, it.ID); err != nil {
		return nil, err
	}
	if v.Escalations, err = itemEscalations(db, it.ID, communityToday(s.now())); err != nil {
		return nil, err
	}
	var claims []ItemClaim
	q := db.Where("item_id = ?", it.ID).Order("id")
	if !acc.Has(resolutionManagers...) && !acc.Has(RoleCommittee) {
		q = q.Where("user_id = ?", a.UserID)
	}
	if err := q.Find(&claims).Error; err != nil {
		return nil, fmt.Errorf("read claims of item %d: %w", it.ID, err)
	}
	ids := []uint64{}
	for _, c := range claims {
		ids = append(ids, c.UserID)
	}
	names, err := userNames(db, ids)
	if err != nil {
		return nil, err
	}
	v.Claims = []ClaimView{}
	for _, c := range claims {
		v.Claims = append(v.Claims, ClaimView{ItemClaim: c, UserName: names[c.UserID]})
	}
	return v, nil
}

func itemUpdates(db *gorm.DB, itemID uint64) ([]ItemUpdateView, error) {
	var ups []ItemUpdate
	if err := db.Where("item_id = ?", itemID).Order("id").Find(&ups).Error; err != nil {
		return nil, fmt.Errorf("read updates of item %d: %w", itemID, err)
	}
	out := []ItemUpdateView{}
	if len(ups) == 0 {
		return out, nil
	}
	ids, authors := []uint64{}, []uint64{}
	for _, u := range ups {
		ids = append(ids, u.ID)
		authors = append(authors, u.AuthorID)
	}
	var photos []itemUpdatePhoto
	if err := db.Where("update_id IN ?", ids).Order("update_id, position").Find(&photos).Error; err != nil {
		return nil, fmt.Errorf("read photos of item %d: %w", itemID, err)
	}
	names, err := userNames(db, authors)
	if err != nil {
		return nil, err
	}
	for _, u := range ups {
		v := ItemUpdateView{ItemUpdate: u, Hours: float64(u.HoursCenti) / 100, AuthorName: names[u.AuthorID],
			PhotoIDs: []uint64{}, PhotoURLs: []string{}}
		for _, p := range photos {
			if p.UpdateID == u.ID {
				v.PhotoIDs = append(v.PhotoIDs, p.UploadID)
				v.PhotoURLs = append(v.PhotoURLs, fmt.Sprintf("/api/v1/uploads/%d", p.UploadID))
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// ItemPatch changes an item; nil leaves a field as it is.
type ItemPatch struct {
	Status        *string
	Progress      *int
	BlockedReason *string
	DueDate       *string
	// AssigneeUserID 0 removes the member assignee.
	AssigneeUserID *uint64
}

// UpdateItem changes an item: its assignee (and facilitators) move its status and progress;
// facilitators also change its due date and assignee, cancel it and reopen it.
func (s *Store) UpdateItem(ctx context.Context, a Actor, id uint64, p ItemPatch) (*ItemView, error) {
	if p.Status != nil && !slices.Contains(ItemStatuses, *p.Status) {
		return nil, FieldError("status", "unknown_item_status")
	}
	if p.Progress != nil && (*p.Progress < 0 || *p.Progress > 100) {
		return nil, FieldError("progress", "progress_range")
	}
	if p.DueDate != nil && !validDate(*p.DueDate) {
		return nil, FieldError("due_date", "date_format")
	}
	if p.BlockedReason != nil {
		r := strings.TrimSpace(*p.BlockedReason)
		p.BlockedReason = &r
		if utf8.RuneCountInString(r) > MaxBlockedReasonRunes {
			return nil, FieldError("blocked_reason", "blocked_reason_too_long")
		}
	}
	var rid []uint64
	if err := s.rdb(ctx).Model(&ActionItem{}).Where("id = ?", id).Pluck("resolution_id", &rid).Error; err != nil {
		return nil, fmt.Errorf("find item %d: %w", id, err)
	}
	if len(rid) == 1 {
		if err := s.settleIfDue(ctx, rid[0]); err != nil {
			return nil, err
		}
	}
	err := s.tx(ctx, func(tx *Tx) error {
		it, r, err := tx.lockItem(id, false)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, it.CommunityID)
		if err != nil {
			return err
		}
		manager := acc.Has(resolutionManagers...)
		if !mayWorkOn(acc, a, &it) {
			return errForbidden
		}
		if !manager && (p.DueDate != nil || p.AssigneeUserID != nil) {
			return Errorf(EFORBIDDEN, "facilitator_only")
		}
		_, tree, err := loadResolutionItems(tx.forUpdate(), r.ID)
		if err != nil {
			return err
		}
		changed := map[string]any{}
		working := p.Status != nil || p.Progress != nil || p.BlockedReason != nil
		if working && r.Status != ResolutionImplementing {
			return Errorf(ECONFLICT, "resolution_not_implementing").With("status", r.Status)
		}
		if (p.DueDate != nil || p.AssigneeUserID != nil) && !slices.Contains(planningStatuses, r.Status) {
			return Errorf(ECONFLICT, "resolution_not_open_for_items").With("status", r.Status)
		}
		hasChildren := len(tree.children[it.ID]) > 0
		status := it.Status
		if p.Status != nil && *p.Status != it.Status {
			to := *p.Status
			switch {
			case (to == ItemCancelled || itemClosed(it.Status)) && !manager:
				return Errorf(EFORBIDDEN, "facilitator_only")
			case (to == ItemDone || to == ItemCancelled) && hasChildren:
				for _, k := range tree.children[it.ID] {
					if !itemClosed(k.Status) {
						return Errorf(ECONFLICT, "item_children_open")
					}
				}
			}
			status = to
			changed["status"] = to
		}
		if p.Progress != nil && *p.Progress != it.Progress {
			if hasChildren {
				return FieldError("progress", "item_has_children")
			}
			if itemClosed(status) {
				return Errorf(ECONFLICT, "item_closed")
			}
			changed["progress"] = *p.Progress
			if status == ItemTodo && *p.Progress > 0 && p.Status == nil {
				status = ItemInProgress
				changed["status"] = status
			}
		}
		if status == ItemBlocked {
			reason := it.BlockedReason
			if p.BlockedReason != nil {
				reason = *p.BlockedReason
			}
			if it.Status != ItemBlocked && p.BlockedReason == nil || reason == "" {
				return FieldError("blocked_reason", "blocked_reason_required")
			}
			if reason != it.BlockedReason {
				changed["blocked_reason"] = reason
			}
		} else if it.BlockedReason != "" && changed["status"] != nil {
			changed["blocked_reason"] = ""
		} else if p.BlockedReason != nil && *p.BlockedReason != "" {
			return FieldError("blocked_reason", "not_blocked")
		}
		if st, ok := changed["status"]; ok {
			switch st {
			case ItemDone:
				changed["done_at"] = tx.now
				if !hasChildren {
					changed["progress"] = 100
				}
			default:
				if it.DoneAt != nil {
					changed["done_at"] = nil
				}
			}
		}
		if p.DueDate != nil && *p.DueDate != it.DueDate {
			changed["due_date"] = *p.DueDate
		}
		if p.AssigneeUserID != nil {
			var to *uint64
			if *p.AssigneeUserID != 0 {
				to = p.AssigneeUserID
				if err := checkAssignee(tx.DB, it.CommunityID, to, nil); err != nil {
					return err
				}
			}
			if !sameID(to, it.AssigneeUserID) {
				changed["assignee_user_id"] = to
				if to != nil {
					changed["open_for_claims"] = false
				}
			}
		}
		if len(changed) == 0 {
			return nil
		}
		payload := itemChangedPayload(r.ID, it.ID, changed)
		changed["updated_at"] = tx.now
		if err := tx.Model(&ActionItem{}).Where("id = ?", it.ID).Updates(changed).Error; err != nil {
			return fmt.Errorf("update item %d: %w", it.ID, err)
		}
		if _, err := tx.AppendEvent(EventInput{CommunityID: it.CommunityID, Type: EventItemChanged, SubjectType: "item",
			SubjectID: it.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
			return err
		}
		return tx.afterItemChange(a, r, it.ParentID)
	})
	if err != nil {
		return nil, err
	}
	return s.GetItem(ctx, a, id)
}

// itemChangedPayload is item.changed's payload for the columns an update changed.
func itemChangedPayload(resolutionID, itemID uint64, changed map[string]any) ItemChangedPayload {
	p := ItemChangedPayload{ItemID: itemID, ResolutionID: resolutionID}
	for k, v := range changed {
		switch k {
		case "assignee_user_id":
			u, _ := v.(*uint64)
			p.AssigneeUserID = &u
		case "blocked_reason":
			p.BlockedReason = ptr(v.(string))
		case "done_at":
			var t *time.Time
			if at, ok := v.(time.Time); ok {
				t = &at
			}
			p.DoneAt = &t
		case "due_date":
			p.DueDate = ptr(v.(string))
		case "open_for_claims":
			p.OpenForClaims = ptr(v.(bool))
		case "progress":
			p.Progress = ptr(v.(int))
		case "status":
			p.Status = ptr(v.(string))
		}
	}
	return p
}

func sameID(a, b *uint64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// afterItemChange closes the parents whose children are all closed (done when one of them is
// done, cancelled when all were cancelled), and moves the resolution from implementing to
// evaluating once every item is closed — in the transaction that closed the last one.
func (tx *Tx) afterItemChange(a Actor, r *Resolution, parentID *uint64) error {
	_, tree, err := loadResolutionItems(tx.forUpdate(), r.ID)
	if err != nil {
		return err
	}
	for pid := parentID; pid != nil; {
		p := tree.byID[*pid]
		if p == nil {
			break
		}
		kids := tree.children[p.ID]
		anyDone, allClosed := false, len(kids) > 0
		for _, k := range kids {
			allClosed = allClosed && itemClosed(k.Status)
			anyDone = anyDone || k.Status == ItemDone
		}
		if !allClosed && itemClosed(p.Status) {
			// A child was reopened: its closed parents are open again.
			if err := tx.Model(&ActionItem{}).Where("id = ?", p.ID).Updates(map[string]any{"status": ItemInProgress,
				"done_at": nil, "updated_at": tx.now}).Error; err != nil {
				return fmt.Errorf("reopen item %d: %w", p.ID, err)
			}
			p.Status = ItemInProgress
			if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventItemChanged, SubjectType: "item",
				SubjectID: p.ID, Visibility: VisMembers, Payload: ItemChangedPayload{By: "child_reopened", ItemID: p.ID,
					ResolutionID: r.ID, Status: ptr(ItemInProgress)}}); err != nil {
				return err
			}
			pid = p.ParentID
			continue
		}
		if !allClosed || itemClosed(p.Status) {
			break
		}
		to := ItemCancelled
		changed := map[string]any{"status": to, "updated_at": tx.now}
		if anyDone {
			to = ItemDone
			changed = map[string]any{"status": to, "done_at": tx.now, "updated_at": tx.now}
		}
		changed["blocked_reason"] = ""
		if err := tx.Model(&ActionItem{}).Where("id = ?", p.ID).Updates(changed).Error; err != nil {
			return fmt.Errorf("close item %d: %w", p.ID, err)
		}
		p.Status = to
		if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventItemChanged, SubjectType: "item",
			SubjectID: p.ID, Visibility: VisMembers, Payload: ItemChangedPayload{By: "children_closed", ItemID: p.ID,
				ResolutionID: r.ID, Status: ptr(to)}}); err != nil {
			return err
		}
		pid = p.ParentID
	}
	if r.Status != ResolutionImplementing || len(tree.byID) == 0 {
		return nil
	}
	for _, it := range tree.byID {
		if !itemClosed(it.Status) {
			return nil
		}
	}
	res := tx.Model(&Resolution{}).Where("id = ? AND status = ?", r.ID, ResolutionImplementing).
		Updates(map[string]any{"status": ResolutionEvaluating, "updated_at": tx.now})
	if res.Error != nil {
		return fmt.Errorf("move resolution %d to evaluating: %w", r.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return nil
	}
	r.Status = ResolutionEvaluating
	payload := ResolutionEvaluatingPayload{CycleID: r.CycleID, MeetingID: r.MeetingID, PollID: r.PollID,
		Progress: tree.progressOf(nil), ResolutionID: r.ID}
	_, err = tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EventResolutionEvaluating, SubjectType: "resolution",
		SubjectID: r.ID, Actor: a.ref(), Visibility: VisPublic, Payload: payload})
	return err
}

// UpdateInput is a progress report on an item.
type UpdateInput struct {
	Note     string
	Progress *int
	PhotoIDs []uint64
	Hours    float64
	CostFen  int64
}

// Limits of an update's figures.
const (
	MaxUpdateHours   = 1000
	MaxUpdateCostFen = int64(100_000_000_000)
)

// PostUpdate records a progress report with its evidence: the item's assignee or a facilitator,
// while the resolution is being carried out. Photos are the poster's own uploads in the
// community, as for cards; a cost needs a receipt photo. A progress moves the item as PATCH
// would.
func (s *Store) PostUpdate(ctx context.Context, a Actor, itemID uint64, in UpdateInput) (*ItemUpdateView, error) {
	note := strings.TrimSpace(in.Note)
	switch {
	case note == "":
		return nil, FieldError("note", "required")
	case utf8.RuneCountInString(note) > MaxUpdateNoteRunes:
		return nil, FieldError("note", "update_note_too_long")
	case in.Progress != nil && (*in.Progress < 0 || *in.Progress > 100):
		return nil, FieldError("progress", "progress_range")
	case len(in.PhotoIDs) > MaxUpdatePhotos:
		return nil, FieldError("photo_ids", "too_many_photos")
	case in.Hours < 0 || in.Hours > MaxUpdateHours || math.IsNaN(in.Hours):
		return nil, FieldError("hours", "hours_range")
	case in.CostFen < 0 || in.CostFen > MaxUpdateCostFen:
		return nil, FieldError("cost_fen", "cost_range")
	case in.CostFen > 0 && len(in.PhotoIDs) == 0:
		return nil, FieldError("photo_ids", "receipt_required")
	}
	photos := []uint64{}
	for _, p := range in.PhotoIDs {
		if !slices.Contains(photos, p) {
			photos = append(photos, p)
		}
	}
	var out *ItemUpdateView
	err := s.tx(ctx, func(tx *Tx) error {
		it, r, err := tx.lockItem(itemID, true)
		if err != nil {
			return err
		}
		acc, err := tx.writeAccess(a, it.CommunityID)
		if err != nil {
			return err
		}
		if !mayWorkOn(acc, a, &it) {
			return errForbidden
		}
		if r.Status != ResolutionImplementing {
			return Errorf(ECONFLICT, "resolution_not_implementing").With("status", r.Status)
		}
		if itemClosed(it.Status) {
			return Errorf(ECONFLICT, "item_closed")
		}
		_, tree, err := loadResolutionItems(tx.forUpdate(), r.ID)
		if err != nil {
			return err
		}
		if in.Progress != nil && len(tree.children[it.ID]) > 0 {
			return FieldError("progress", "item_has_children")
		}
		for _, pid := range photos {
			var n int64
			if err := tx.Model(&Upload{}).Where("id = ? AND community_id = ? AND uploader_id = ?", pid, it.CommunityID, a.UserID).
				Count(&n).Error; err != nil {
				return fmt.Errorf("find photo %d: %w", pid, err)
			}
			if n == 0 {
				return FieldError("photo_ids", "photo_not_found")
			}
		}
		up := ItemUpdate{CommunityID: it.CommunityID, ItemID: it.ID, AuthorID: a.UserID, Note: note, Progress: in.Progress,
			HoursCenti: int64(math.Round(in.Hours * 100)), CostFen: in.CostFen, CreatedAt: tx.now}
		if err := tx.Create(&up).Error; err != nil {
			return fmt.Errorf("post update: %w", err)
		}
		for i, pid := range photos {
			if err := tx.Create(&itemUpdatePhoto{UpdateID: up.ID, UploadID: pid, Position: i}).Error; err != nil {
				return fmt.Errorf("attach photo: %w", err)
			}
		}
		payload := ItemUpdatePostedPayload{CostFen: in.CostFen, Hours: in.Hours, ItemID: it.ID, Note: note,
			Photos: len(photos), Progress: in.Progress, ResolutionID: r.ID, UpdateID: up.ID}
		if _, err := tx.AppendEvent(EventInput{CommunityID: it.CommunityID, Type: EventItemUpdatePosted, SubjectType: "item",
			SubjectID: it.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
			return err
		}
		if in.Progress != nil && *in.Progress != it.Progress {
			changed := map[string]any{"progress": *in.Progress, "updated_at": tx.now}
			if it.Status == ItemTodo && *in.Progress > 0 {
				changed["status"] = ItemInProgress
			}
			if err := tx.Model(&ActionItem{}).Where("id = ?", it.ID).Updates(changed).Error; err != nil {
				return fmt.Errorf("update item %d: %w", it.ID, err)
			}
		}
		names, err := userNames(tx.DB, []uint64{a.UserID})
		if err != nil {
			return err
		}
		out = &ItemUpdateView{ItemUpdate: up, Hours: float64(up.HoursCenti) / 100, AuthorName: names[a.UserID],
			PhotoIDs: photos, PhotoURLs: []string{}}
		for _, pid := range photos {
			out.PhotoURLs = append(out.PhotoURLs, fmt.Sprintf("/api/v1/uploads/%d", pid))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MyItems lists the items assigned to the caller in every community, open ones first by due
// date.
func (s *Store) MyItems(ctx context.Context, a Actor) ([]ItemView, error) {
	if a.UserID == 0 {
		return nil, Errorf(EUNAUTHORIZED, "login_required")
	}
	db := s.rdb(ctx)
	var items []ActionItem
	if err := db.Where("assignee_user_id = ?", a.UserID).Order("id").Limit(500).Find(&items).Error; err != nil {
		return nil, fmt.Errorf("read my items: %w", err)
	}
	trees := map[uint64]*itemTree{}
	titles := map[uint64]string{}
	accs := map[uint64]*Access{}
	for _, it := range items {
		if trees[it.ResolutionID] == nil {
			_, t, err := loadResolutionItems(db, it.ResolutionID)
			if err != nil {
				return nil, err
			}
			trees[it.ResolutionID] = t
			var r Resolution
			if err := db.Select("id", "title").Take(&r, it.ResolutionID).Error; err == nil {
				titles[r.ID] = r.Title
			}
		}
		if _, ok := accs[it.CommunityID]; !ok {
			acc, err := access(db, a, it.CommunityID)
			if err != nil {
				acc = nil
			}
			accs[it.CommunityID] = acc
		}
	}
	out := []ItemView{}
	for _, it := range items {
		acc := accs[it.CommunityID]
		if acc == nil {
			continue // no longer a member there
		}
		vs, err := viewItems(db, a, acc, s.now(), []ActionItem{it}, trees)
		if err != nil {
			return nil, err
		}
		vs[0].ResolutionTitle = titles[it.ResolutionID]
		out = append(out, vs[0])
	}
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := itemClosed(out[i].Status), itemClosed(out[j].Status)
		if ci != cj {
			return !ci
		}
		return out[i].DueDate < out[j].DueDate
	})
	return out, nil
}

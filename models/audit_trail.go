package models

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The audit trail (docs/audit-trail.md): the community's event log searched by type, subject,
// actor and time, each change shown with its values before and after; the chain check's runs
// recorded so that the last full check can be shown; and a resolution's whole story.

// EventFilter narrows a search of the log. Zero values leave a criterion out.
type EventFilter struct {
	// Type is an event type, or a family of them ending in "." ("item.").
	Type        string
	SubjectType string
	SubjectID   uint64
	ActorID     uint64
	From, To    time.Time // [From, To)
	// After pages forward (oldest first); Before pages backward (newest first).
	After, Before uint64
	Desc          bool
	Limit         int
}

// EventView is an event as the audit trail shows it: who did it, and what changed.
type EventView struct {
	Event
	ActorName string `json:"actor_name"`
	// Changes are the subject's fields this event set, each with its value before (null the
	// first time the log names it) and after.
	Changes []FieldChange `json:"changes"`
}

// refKeys are payload fields that point at other records rather than describe the subject.
var refKeys = map[string]bool{"resolution_id": true, "cycle_id": true, "meeting_id": true, "poll_id": true,
	"item_id": true, "claim_id": true, "objection_id": true, "update_id": true, "escalation_id": true, "by": true}

// SearchEvents lists a community's events matching f, with their actors' names and readable
// changes; for committee members and admins, as the log always was.
func (s *Store) SearchEvents(ctx context.Context, a Actor, communityID uint64, f EventFilter) ([]EventView, error) {
	if _, err := s.readAccess(ctx, a, communityID, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	db := s.rdb(ctx)
	q := db.Where("community_id = ?", communityID)
	switch {
	case strings.HasSuffix(f.Type, "."):
		q = q.Where("type LIKE ?", strings.ReplaceAll(f.Type, "_", `\_`)+"%")
	case f.Type != "":
		q = q.Where("type = ?", f.Type)
	}
	if f.SubjectType != "" {
		q = q.Where("subject_type = ?", f.SubjectType)
	}
	if f.SubjectID != 0 {
		q = q.Where("subject_id = ?", f.SubjectID)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.After != 0 {
		q = q.Where("id > ?", f.After)
	}
	if f.Before != 0 {
		q = q.Where("id < ?", f.Before)
	}
	order := "id"
	if f.Desc || f.Before != 0 {
		order = "id DESC"
	}
	var evs []Event
	if err := q.Order(order).Limit(clampLimit(f.Limit)).Find(&evs).Error; err != nil {
		return nil, fmt.Errorf("search events: %w", err)
	}
	return s.viewEvents(ctx, communityID, evs)
}

// viewEvents adds actors' names and each event's changes: the value each field had after the
// last earlier event of the same subject that named it.
func (s *Store) viewEvents(ctx context.Context, communityID uint64, evs []Event) ([]EventView, error) {
	out := make([]EventView, 0, len(evs))
	if len(evs) == 0 {
		return out, nil
	}
	db := s.rdb(ctx)
	actors := []uint64{}
	bySubjectType := map[string][]uint64{}
	var maxID uint64
	for _, e := range evs {
		if e.ActorID != nil {
			actors = append(actors, *e.ActorID)
		}
		bySubjectType[e.SubjectType] = append(bySubjectType[e.SubjectType], e.SubjectID)
		maxID = max(maxID, e.ID)
	}
	names, err := userNames(db, uniqueIDs(actors))
	if err != nil {
		return nil, err
	}
	// The history of each subject up to the newest event shown, oldest first.
	var history []Event
	types := make([]string, 0, len(bySubjectType))
	for t := range bySubjectType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		var part []Event
		if err := db.Select("id", "subject_type", "subject_id", "payload").
			Where("community_id = ? AND subject_type = ? AND subject_id IN ? AND id <= ?", communityID, t,
				uniqueIDs(bySubjectType[t]), maxID).Order("id").Find(&part).Error; err != nil {
			return nil, fmt.Errorf("read history of %s: %w", t, err)
		}
		history = append(history, part...)
	}
	sort.Slice(history, func(i, j int) bool { return history[i].ID < history[j].ID })
	changes := map[uint64][]FieldChange{}
	state := map[string]map[string]json.RawMessage{}
	for _, e := range history {
		key := fmt.Sprintf("%s:%d", e.SubjectType, e.SubjectID)
		if state[key] == nil {
			state[key] = map[string]json.RawMessage{}
		}
		changes[e.ID] = foldChanges(state[key], e.SubjectType, e.Payload)
	}
	for _, e := range evs {
		v := EventView{Event: e, Changes: changes[e.ID]}
		v.Data = json.RawMessage(e.Payload)
		if v.Changes == nil {
			v.Changes = []FieldChange{}
		}
		if e.ActorID != nil {
			v.ActorName = names[*e.ActorID]
		}
		out = append(out, v)
	}
	return out, nil
}

// foldChanges reads one payload into a subject's known fields and returns what it changed. A
// payload that lists its own changes (FieldChange, as escalation.changed does) is taken at its
// word.
func foldChanges(known map[string]json.RawMessage, subjectType, payload string) []FieldChange {
	var p map[string]json.RawMessage
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return nil
	}
	out := []FieldChange{}
	if raw, ok := p["changes"]; ok {
		var listed []struct {
			Field string          `json:"field"`
			From  json.RawMessage `json:"from"`
			To    json.RawMessage `json:"to"`
		}
		if json.Unmarshal(raw, &listed) == nil {
			for _, c := range listed {
				out = append(out, FieldChange{Field: c.Field, From: c.From, To: c.To})
				known[c.Field] = c.To
			}
			return out
		}
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		if !refKeys[k] && k != subjectType+"_id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		after := p[k]
		before, seen := known[k]
		if seen && bytes.Equal(before, after) {
			continue
		}
		c := FieldChange{Field: k, To: after}
		if seen {
			c.From = before
		}
		out = append(out, c)
		known[k] = after
	}
	return out
}

// AuditCheck is one run of the chain check over a community's whole log.
type AuditCheck struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	CommunityID uint64    `json:"community_id"`
	OK          bool      `gorm:"column:ok" json:"ok"`
	Checked     int       `json:"checked"`
	Head        uint64    `json:"head"`
	BrokenSeq   *uint64   `json:"broken_seq"`
	Reason      string    `json:"reason"`
	CheckedBy   *uint64   `json:"-"`
	CheckedAt   time.Time `json:"checked_at"`
}

// TableName pins the table.
func (AuditCheck) TableName() string { return "audit_checks" }

// RunAuditCheck checks a community's whole chain and records the run; committee and admins.
func (s *Store) RunAuditCheck(ctx context.Context, a Actor, communityID uint64) (*AuditCheck, error) {
	if _, err := s.readAccess(ctx, a, communityID, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	return s.RecordAuditCheck(ctx, a.ref(), communityID)
}

// RecordAuditCheck checks a community's chain and records the run, for a person (by) or the
// command line (nil).
func (s *Store) RecordAuditCheck(ctx context.Context, by *uint64, communityID uint64) (*AuditCheck, error) {
	res, err := s.VerifyChain(ctx, communityID)
	if err != nil {
		return nil, err
	}
	c := &AuditCheck{CommunityID: communityID, OK: res.OK, Checked: res.Checked, Head: res.Head, CheckedBy: by}
	if res.Broken != nil {
		c.BrokenSeq, c.Reason = &res.Broken.Seq, res.Broken.Reason
	}
	err = s.tx(ctx, func(tx *Tx) error {
		c.CheckedAt = tx.now
		if err := tx.Create(c).Error; err != nil {
			return fmt.Errorf("record chain check: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// LastAuditCheck returns the latest recorded chain check of a community, or nil.
func (s *Store) LastAuditCheck(ctx context.Context, a Actor, communityID uint64) (*AuditCheck, error) {
	if _, err := s.readAccess(ctx, a, communityID, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	var cs []AuditCheck
	if err := s.rdb(ctx).Where("community_id = ?", communityID).Order("id DESC").Limit(1).Find(&cs).Error; err != nil {
		return nil, fmt.Errorf("read chain checks: %w", err)
	}
	if len(cs) == 0 {
		return nil, nil
	}
	return &cs[0], nil
}

// Package deskseed writes a history of cycles straight into the tables — cycles, topics and
// endorsements, cards, meetings and sign-ins, polls and receipts, resolutions, action items with
// updates and claims, survey answers and events — for the dashboard's tests and benchmark
// (docs/desk.md "Tests and the benchmark"). It assigns the ids itself and inserts in batches, so
// years of history for many communities load in seconds on SQLite and MariaDB. It bypasses the
// rules of the store: it is test support, never used by the server.
package deskseed

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Builder collects rows with ids of its own and writes them on Flush.
type Builder struct {
	db   *gorm.DB
	next map[string]uint64
	rows map[string][]map[string]any
	seq  map[uint64]uint64 // last event seq per community
	At   time.Time         // the creation time written on rows that need one
}

// order is the order tables are written in, parents first.
var order = []string{"users", "communities", "compounds", "buildings", "households", "memberships", "member_roles", "cycles", "topics", "endorsements",
	"cards", "meetings", "attendances", "polls", "poll_receipts", "resolutions", "action_items",
	"item_updates", "item_claims", "survey_answers", "escalations", "events"}

// New starts a builder on db; ids continue after the largest in each table.
func New(db *gorm.DB) (*Builder, error) {
	b := &Builder{db: db, next: map[string]uint64{}, rows: map[string][]map[string]any{}, seq: map[uint64]uint64{},
		At: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, t := range order {
		if t == "endorsements" || t == "poll_receipts" || t == "member_roles" {
			continue
		}
		var max *uint64
		if err := db.Table(t).Select("MAX(id)").Scan(&max).Error; err != nil {
			return nil, fmt.Errorf("max id of %s: %w", t, err)
		}
		if max != nil {
			b.next[t] = *max
		}
	}
	var heads []struct {
		CommunityID uint64
		Seq         uint64
	}
	if err := db.Table("events").Select("community_id, MAX(seq) AS seq").Group("community_id").Scan(&heads).Error; err != nil {
		return nil, err
	}
	for _, h := range heads {
		b.seq[h.CommunityID] = h.Seq
	}
	return b, nil
}

func (b *Builder) add(table string, row map[string]any) uint64 {
	var id uint64
	if _, keyed := row["id"]; !keyed && table != "endorsements" && table != "poll_receipts" && table != "member_roles" {
		b.next[table]++
		id = b.next[table]
		row["id"] = id
	}
	b.rows[table] = append(b.rows[table], row)
	return id
}

// Flush writes the collected rows in batches, parents first, in one transaction.
func (b *Builder) Flush() error {
	err := b.db.Transaction(func(tx *gorm.DB) error {
		for _, t := range order {
			rows := b.rows[t]
			for len(rows) > 0 {
				n := min(len(rows), 400)
				if err := tx.Table(t).Create(rows[:n]).Error; err != nil {
					return fmt.Errorf("insert %s: %w", t, err)
				}
				rows = rows[n:]
			}
		}
		return nil
	})
	b.rows = map[string][]map[string]any{}
	return err
}

// User adds an account (no usable password).
func (b *Builder) User(phone, name string) uint64 {
	return b.add("users", map[string]any{"phone": phone, "name": name, "password_hash": "!", "locale": "zh-CN",
		"created_at": b.At, "updated_at": b.At})
}

// Community adds a community of a street.
func (b *Builder) Community(name, street string) uint64 {
	return b.add("communities", map[string]any{"name": name, "street": street, "district": "江汉区", "city": "武汉市",
		"publicity_days": 7, "satisfaction_threshold": 80, "created_at": b.At, "updated_at": b.At})
}

// Member adds a membership without roles.
func (b *Builder) Member(community, user uint64) uint64 {
	return b.add("memberships", map[string]any{"user_id": user, "community_id": community, "verified_at": b.At,
		"created_at": b.At, "updated_at": b.At})
}

// Role gives a membership a role.
func (b *Builder) Role(membership uint64, role string) {
	b.add("member_roles", map[string]any{"membership_id": membership, "role": role})
}

// Compound adds a compound.
func (b *Builder) Compound(community uint64, name string) uint64 {
	return b.add("compounds", map[string]any{"community_id": community, "name": name, "created_at": b.At, "updated_at": b.At})
}

// Households adds a building of n households to a compound and returns their ids.
func (b *Builder) Households(compound uint64, n int) []uint64 {
	bld := b.add("buildings", map[string]any{"compound_id": compound, "name": "1栋", "created_at": b.At})
	out := make([]uint64, n)
	for i := range out {
		out[i] = b.add("households", map[string]any{"compound_id": compound, "building_id": bld,
			"room": strconv.Itoa(101 + i), "created_at": b.At, "updated_at": b.At})
	}
	return out
}

// Cycle adds a month's cycle of a compound in a phase.
func (b *Builder) Cycle(community, compound uint64, month, phase string, by uint64) uint64 {
	row := map[string]any{"community_id": community, "compound_id": compound, "month": month, "phase": phase,
		"reason": "轮到本小区", "created_by": by, "created_at": b.At, "updated_at": b.At}
	if phase != "cancelled" {
		row["open_month"] = month
	}
	return b.add("cycles", row)
}

// Topic adds a topic with its endorsers.
func (b *Builder) Topic(community, cycle uint64, title, status string, by uint64, endorsers []uint64) uint64 {
	id := b.add("topics", map[string]any{"cycle_id": cycle, "community_id": community, "title": title, "description": title,
		"source": "online", "proposer_id": by, "entered_by": by, "status": status, "created_at": b.At, "updated_at": b.At})
	for _, u := range endorsers {
		b.add("endorsements", map[string]any{"topic_id": id, "user_id": u, "created_at": b.At})
	}
	return id
}

// Cards adds n cards of an origin, entered by a user.
func (b *Builder) Cards(community, cycle uint64, origin string, n int, by uint64) {
	for i := 0; i < n; i++ {
		b.add("cards", map[string]any{"cycle_id": cycle, "community_id": community, "body": "解法卡片 " + strconv.Itoa(i+1),
			"origin": origin, "author_id": by, "entered_by": by, "status": "visible", "created_at": b.At, "updated_at": b.At})
	}
}

// Meeting adds an ended meeting with the users signed in.
func (b *Builder) Meeting(community, cycle uint64, by uint64, attendees []uint64) uint64 {
	id := b.add("meetings", map[string]any{"cycle_id": cycle, "community_id": community, "title": "圆桌会",
		"starts_at": b.At, "location": "社区活动室", "status": "ended", "join_code": "000000",
		"summary": "", "created_by": by, "created_at": b.At, "updated_at": b.At})
	h := sha256.Sum256([]byte("meeting " + strconv.FormatUint(id, 10)))
	b.rows["meetings"][len(b.rows["meetings"])-1]["display_token_hash"] = hex.EncodeToString(h[:])
	for _, u := range attendees {
		b.add("attendances", map[string]any{"meeting_id": id, "user_id": u, "checked_in_by": by, "method": "qr", "created_at": b.At})
	}
	return id
}

// Poll adds a closed named poll of a meeting with the voters' receipts.
func (b *Builder) Poll(community, cycle, meeting uint64, by uint64, voters []uint64) uint64 {
	id := b.add("polls", map[string]any{"community_id": community, "cycle_id": cycle, "meeting_id": meeting, "title": "表决",
		"method": "single", "eligibility": "attendees", "weight": "person", "secrecy": "named",
		"results_visibility": "after_close", "status": "closed", "created_by": by, "created_at": b.At, "updated_at": b.At})
	for _, u := range voters {
		b.add("poll_receipts", map[string]any{"poll_id": id, "voter_key": u, "user_id": u})
	}
	return id
}

// Resolution adds a resolution of a meeting's poll in a status.
func (b *Builder) Resolution(community, cycle, meeting, poll uint64, title, status string, by uint64) uint64 {
	return b.add("resolutions", map[string]any{"community_id": community, "cycle_id": cycle, "meeting_id": meeting, "poll_id": poll,
		"title": title, "text": title, "category": "ordinary", "status": status, "poll_passed": true, "drafted_by": by,
		"decided_at": b.At, "created_at": b.At, "updated_at": b.At})
}

// Item adds an action item; doneAt is set for a done item, parent for a sub-item.
func (b *Builder) Item(community, resolution uint64, parent *uint64, title, due, status string, doneAt *time.Time, by uint64) uint64 {
	row := map[string]any{"community_id": community, "resolution_id": resolution, "title": title, "due_date": due,
		"status": status, "created_by": by, "created_at": b.At, "updated_at": b.At}
	if parent != nil {
		row["parent_id"] = *parent
	}
	if doneAt != nil {
		row["done_at"] = *doneAt
	}
	return b.add("action_items", row)
}

// Update adds an item update at a time with service hours in hundredths.
func (b *Builder) Update(community, item, author uint64, at time.Time, hoursCenti int64) uint64 {
	return b.add("item_updates", map[string]any{"community_id": community, "item_id": item, "author_id": author,
		"note": "进展", "hours_centi": hoursCenti, "created_at": at})
}

// Claim adds a claim of an item.
func (b *Builder) Claim(community, item, user uint64, status string) uint64 {
	return b.add("item_claims", map[string]any{"community_id": community, "item_id": item, "user_id": user,
		"status": status, "created_at": b.At})
}

// Answer adds a household's survey answer in round 1.
func (b *Builder) Answer(resolution, household uint64, level string) uint64 {
	return b.add("survey_answers", map[string]any{"resolution_id": resolution, "round": 1, "household_id": household,
		"level": level, "via": "self", "created_at": b.At})
}

// Escalation adds an item's escalation (吹哨 / 12345) raised at a time, with its response date
// (” while awaiting).
func (b *Builder) Escalation(community, resolution, item uint64, channel string, at time.Time, due, respondedOn string) uint64 {
	row := map[string]any{"community_id": community, "resolution_id": resolution, "item_id": item, "channel": channel,
		"department": "区城管局", "reason": "超出社区职权", "response_due": due, "status": "awaiting", "response": "",
		"responded_on": "", "responded_at": nil, "overdue_noted_on": "",
		"created_at": at, "updated_at": at}
	if respondedOn != "" {
		row["status"], row["responded_on"], row["responded_at"], row["response"] = "responded", respondedOn, at, "已处理"
	}
	return b.add("escalations", row)
}

// Event adds an event to a community's log; its hashes are placeholders (the seeded log is not a
// valid chain).
func (b *Builder) Event(community uint64, typ, subjectType string, subjectID uint64) uint64 {
	b.seq[community]++
	return b.add("events", map[string]any{"community_id": community, "seq": b.seq[community], "type": typ,
		"subject_type": subjectType, "subject_id": subjectID, "payload": "{}", "visibility": "committee",
		"created_at": b.At, "prev_hash": "", "hash": ""})
}

package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Event visibilities.
const (
	VisPublic    = "public"    // anyone who may see the subject
	VisMembers   = "members"   // members of the community
	VisCommittee = "committee" // committee and admins only
)

// genesisHash is the "previous hash" of a community's first event.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one entry of a community's append-only log (docs/architecture.md "The event log"). Every state change appends
// one in the same transaction; its hash chains it to the previous event of the same community.
type Event struct {
	ID          uint64          `gorm:"primaryKey" json:"id"`
	CommunityID uint64          `json:"community_id"`
	Seq         uint64          `json:"seq"`
	Type        EventType       `json:"type"`
	SubjectType string          `json:"subject_type"`
	SubjectID   uint64          `json:"subject_id"`
	ActorID     *uint64         `json:"actor_id"`
	Payload     string          `json:"-"`
	Visibility  string          `json:"visibility"`
	CreatedAt   time.Time       `json:"created_at"`
	PrevHash    string          `json:"prev_hash"`
	Hash        string          `json:"hash"`
	Data        json.RawMessage `gorm:"-" json:"payload"`
	// Refs are the payload's references, decoded once when the real-time feed reads the event,
	// so that thousands of stream filters need not decode it each.
	Refs EventRefs `gorm:"-" json:"-"`
}

// EventRefs are the references a payload may carry.
type EventRefs struct {
	MeetingID uint64 `json:"meeting_id"`
	CycleID   uint64 `json:"cycle_id"`
	Mode      string `json:"mode"`
	PollID    uint64 `json:"poll_id"`
	// ResolutionID: projector.changed's resolution, for the wall's filter.
	ResolutionID uint64 `json:"resolution_id"`
}

// TableName pins the table.
func (Event) TableName() string { return "events" }

type eventHead struct {
	CommunityID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Seq         uint64
	Hash        string
}

func (eventHead) TableName() string { return "event_heads" }

// canonical is the JSON the hash covers: every field but the id and the hashes, in a fixed order.
func (e *Event) canonical() []byte {
	v := struct {
		CommunityID uint64          `json:"community_id"`
		Seq         uint64          `json:"seq"`
		Type        EventType       `json:"type"`
		SubjectType string          `json:"subject_type"`
		SubjectID   uint64          `json:"subject_id"`
		ActorID     *uint64         `json:"actor_id"`
		Visibility  string          `json:"visibility"`
		CreatedAt   string          `json:"created_at"`
		Payload     json.RawMessage `json:"payload"`
	}{e.CommunityID, e.Seq, e.Type, e.SubjectType, e.SubjectID, e.ActorID, e.Visibility,
		e.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"), json.RawMessage(e.Payload)}
	b, err := json.Marshal(v)
	if err != nil {
		// The payload was produced by json.Marshal; a stored payload that is no longer JSON is
		// tampering, and hashing its raw bytes makes verify report it as such.
		return append([]byte(e.Payload), e.Type...)
	}
	return b
}

func chainHash(prev string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

// EventInput is what an operation says about the change it made.
type EventInput struct {
	CommunityID uint64
	Type        EventType
	SubjectType string
	SubjectID   uint64
	Actor       *uint64
	Visibility  string
	Payload     any
}

// AppendEvent adds an event to the community's chain inside tx. It is the one way to write the log.
// In a batched transaction (batch.go) the event is held and chained, with the batch's others, just
// before the commit; the returned event then has no id or sequence number yet.
func (tx *Tx) AppendEvent(in EventInput) (*Event, error) {
	if tx.deferEvents {
		tx.pending = append(tx.pending, in)
		return &Event{CommunityID: in.CommunityID, Type: in.Type, SubjectType: in.SubjectType, SubjectID: in.SubjectID,
			ActorID: in.Actor, Visibility: in.Visibility}, nil
	}
	ev, err := tx.appendEvent(in)
	if err != nil {
		return nil, err
	}
	// The follow-through's notifications hang off its events (notify_follow.go).
	return ev, tx.notifyFromEvent(in)
}

// appendEvent chains one event now.
func (tx *Tx) appendEvent(in EventInput) (*Event, error) {
	evs, err := tx.appendEvents([]EventInput{in})
	if err != nil {
		return nil, err
	}
	return &evs[0], nil
}

// appendEvents chains events in their order, reading and advancing each community's head once
// for a run of its events.
func (tx *Tx) appendEvents(ins []EventInput) ([]Event, error) {
	out := make([]Event, 0, len(ins))
	for len(ins) > 0 {
		cid := ins[0].CommunityID
		n := 1
		for n < len(ins) && ins[n].CommunityID == cid {
			n++
		}
		evs, err := tx.appendRun(cid, ins[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
		ins = ins[n:]
	}
	return out, nil
}

// appendRun chains events of one community under its head row, locked until the commit. When
// the store knows the head its last commit left (knownHead), the events are chained after it and
// the head row is moved only if it is still there — an update that locks the row as the locking
// read would, one statement fewer while the community's head is held; when another transaction
// moved it meanwhile, the head is read under the lock as without the hint.
func (tx *Tx) appendRun(cid uint64, ins []EventInput) ([]Event, error) {
	if h, ok := tx.store.knownHead(cid); ok {
		evs, err := tx.chain(cid, h, ins)
		if err != nil {
			return nil, err
		}
		last := evs[len(evs)-1]
		res := tx.Exec("UPDATE event_heads SET seq = ?, hash = ? WHERE community_id = ? AND seq = ?", last.Seq, last.Hash, cid, h.Seq)
		if res.Error != nil {
			return nil, fmt.Errorf("advance event head: %w", res.Error)
		}
		if res.RowsAffected == 1 {
			tx.store.noteHeads(evs)
			if err := insertEvents(tx, evs); err != nil {
				tx.store.forgetHeads(evs)
				return nil, err
			}
			tx.events = append(tx.events, evs...)
			return evs, nil
		}
	}
	var head eventHead
	err := tx.forUpdate().Where("community_id = ?", cid).Take(&head).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		// Only the transaction that creates the community gets here, so no one races it.
		head = eventHead{CommunityID: cid, Seq: 0, Hash: genesisHash}
		if err := tx.Create(&head).Error; err != nil {
			return nil, fmt.Errorf("start event chain of community %d: %w", cid, err)
		}
	case err != nil:
		return nil, fmt.Errorf("read event head of community %d: %w", cid, err)
	}
	evs, err := tx.chain(cid, head, ins)
	if err != nil {
		return nil, err
	}
	seq, hash := evs[len(evs)-1].Seq, evs[len(evs)-1].Hash
	if err := insertEvents(tx, evs); err != nil {
		return nil, err
	}
	res := tx.Exec("UPDATE event_heads SET seq = ?, hash = ? WHERE community_id = ? AND seq = ?",
		seq, hash, cid, head.Seq)
	if res.Error != nil {
		return nil, fmt.Errorf("advance event head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("advance event head of community %d: lost a race", cid)
	}
	tx.events = append(tx.events, evs...)
	tx.store.noteHeads(evs)
	return evs, nil
}

// chain builds the events of one community after its head, each hashed with its predecessor.
func (tx *Tx) chain(cid uint64, head eventHead, ins []EventInput) ([]Event, error) {
	seq, hash := head.Seq, head.Hash
	evs := make([]Event, len(ins))
	for i, in := range ins {
		payload, err := json.Marshal(in.Payload)
		if err != nil {
			return nil, fmt.Errorf("encode %s payload: %w", in.Type, err)
		}
		if in.Payload == nil {
			payload = []byte("{}")
		}
		if in.Visibility == "" {
			in.Visibility = VisMembers
		}
		ev := Event{
			CommunityID: cid,
			Seq:         seq + 1,
			Type:        in.Type,
			SubjectType: in.SubjectType,
			SubjectID:   in.SubjectID,
			ActorID:     in.Actor,
			Payload:     string(payload),
			Visibility:  in.Visibility,
			CreatedAt:   tx.now,
			PrevHash:    hash,
		}
		ev.Hash = chainHash(ev.PrevHash, ev.canonical())
		seq, hash = ev.Seq, ev.Hash
		evs[i] = ev
	}
	return evs, nil
}

// insertEvents writes a run of one community's chained events in one statement (a batch of
// ballots appends a hundred at once) and gives each its id: consecutive from the first where the
// server guarantees that (SQLite; InnoDB's auto-increment lock mode 1, MariaDB's default),
// otherwise read back by the run's sequence numbers.
func insertEvents(tx *Tx, evs []Event) error {
	if err := tx.Create(&evs).Error; err != nil {
		return fmt.Errorf("append %s: %w", evs[0].Type, err)
	}
	return eventIDs(tx, evs, evs[0].ID)
}

// eventsStmt is insertEvents' statement, for a batch to send with others (finishBatch).
func eventsStmt(evs []Event) heldStmt {
	st := heldStmt{sql: "INSERT INTO events (community_id, seq, type, subject_type, subject_id, actor_id, payload, visibility, created_at, prev_hash, hash) VALUES " +
		placeholders(11, len(evs))}
	for _, e := range evs {
		st.args = append(st.args, e.CommunityID, e.Seq, e.Type, e.SubjectType, e.SubjectID, e.ActorID, e.Payload, e.Visibility, e.CreatedAt, e.PrevHash, e.Hash)
	}
	return st
}

// eventIDs gives a run of one community's events, inserted in one statement whose first id was
// first, their ids: consecutive from the first where the server guarantees that, otherwise read
// back by the run's sequence numbers.
func eventIDs(tx *Tx, evs []Event, first uint64) error {
	if tx.store.consecutiveIDs || len(evs) == 1 {
		for i := range evs {
			evs[i].ID = first + uint64(i)
		}
		return nil
	}
	var ids []struct{ ID, Seq uint64 }
	firstSeq := evs[0].Seq
	if err := tx.Raw("SELECT id, seq FROM events WHERE community_id = ? AND seq BETWEEN ? AND ?",
		evs[0].CommunityID, firstSeq, evs[len(evs)-1].Seq).Scan(&ids).Error; err != nil {
		return fmt.Errorf("read ids of appended events: %w", err)
	}
	if len(ids) != len(evs) {
		return fmt.Errorf("read ids of appended events: %d of %d", len(ids), len(evs))
	}
	for _, r := range ids {
		evs[r.Seq-firstSeq].ID = r.ID
	}
	return nil
}

// VerifyResult is the outcome of checking a community's chain.
type VerifyResult struct {
	OK      bool       `json:"ok"`
	Checked int        `json:"checked"`
	Head    uint64     `json:"head_seq"`
	Broken  *BrokenRef `json:"first_broken,omitempty"`
}

// BrokenRef names the first event where the chain does not hold, and why.
type BrokenRef struct {
	EventID uint64    `json:"event_id"`
	Seq     uint64    `json:"seq"`
	Type    EventType `json:"type"`
	// Reason: hash_mismatch (the row was edited), prev_mismatch (it does not follow its
	// predecessor), seq_gap (an event is missing), head_mismatch (events after it were removed).
	Reason string `json:"reason"`
}

// VerifyChain walks a community's log in order and reports the first broken link.
func (s *Store) VerifyChain(ctx context.Context, communityID uint64) (*VerifyResult, error) {
	db := s.rdb(ctx)
	res := &VerifyResult{OK: true}
	prev := genesisHash
	var last Event
	var after uint64
	for {
		var batch []Event
		if err := db.Where("community_id = ? AND seq > ?", communityID, after).
			Order("seq").Limit(500).Find(&batch).Error; err != nil {
			return nil, fmt.Errorf("read events of community %d: %w", communityID, err)
		}
		for i := range batch {
			e := &batch[i]
			want := after + 1
			switch {
			case e.Seq != want:
				return res.broken(e, "seq_gap"), nil
			case e.PrevHash != prev:
				return res.broken(e, "prev_mismatch"), nil
			case chainHash(e.PrevHash, e.canonical()) != e.Hash:
				return res.broken(e, "hash_mismatch"), nil
			}
			prev, after, last = e.Hash, e.Seq, *e
			res.Checked++
		}
		if len(batch) < 500 {
			break
		}
	}
	var head eventHead
	err := db.Where("community_id = ?", communityID).Take(&head).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("read event head: %w", err)
	}
	res.Head = head.Seq
	if head.Seq != after || (after > 0 && head.Hash != prev) {
		return res.broken(&last, "head_mismatch"), nil
	}
	return res, nil
}

func (r *VerifyResult) broken(e *Event, reason string) *VerifyResult {
	r.OK = false
	r.Broken = &BrokenRef{EventID: e.ID, Seq: e.Seq, Type: e.Type, Reason: reason}
	return r
}

// VerifyCommunity checks one community's chain for an admin or committee member.
func (s *Store) VerifyCommunity(ctx context.Context, a Actor, communityID uint64) (*VerifyResult, error) {
	if _, err := s.readAccess(ctx, a, communityID, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	return s.VerifyChain(ctx, communityID)
}

// ListEvents pages through a community's log after an event id, for committee and admins.
func (s *Store) ListEvents(ctx context.Context, a Actor, communityID, afterID uint64, limit int) ([]Event, error) {
	if _, err := s.readAccess(ctx, a, communityID, RoleAdmin, RoleCommittee); err != nil {
		return nil, err
	}
	var out []Event
	if err := s.rdb(ctx).Where("community_id = ? AND id > ?", communityID, afterID).
		Order("id").Limit(clampLimit(limit)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	for i := range out {
		out[i].Data = json.RawMessage(out[i].Payload)
	}
	return out, nil
}

// CommunityIDs lists every community, for the command-line audit.
func (s *Store) CommunityIDs(ctx context.Context) ([]uint64, error) {
	var ids []uint64
	err := s.rdb(ctx).Model(&Community{}).Order("id").Pluck("id", &ids).Error
	return ids, err
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 200:
		return 200
	}
	return n
}

// jsonUnmarshal decodes a stored payload.
func jsonUnmarshal(payload string, v any) error { return json.Unmarshal([]byte(payload), v) }

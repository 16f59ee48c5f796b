package models

import (
	"cmp"
	"slices"
	"time"
)

// Stances a speaker declares before speaking (docs/domain.md "The round table", 立场明确).
const (
	StancePro     = "pro"
	StanceCon     = "con"
	StanceNeutral = "neutral"
)

// Reasons a waiting speaker is not offered the floor, as stable codes the UI localizes.
const (
	// QueueSpeechLimit: the person has given the meeting's limit of speeches on this item.
	QueueSpeechLimit = "speech_limit"
	// QueueAlreadyQueued: the person has an earlier slot waiting; one turn at a time.
	QueueAlreadyQueued = "already_queued"
)

// Phases of a running speech, which the projector shows as the wall's colour.
const (
	SpeechNormal  = "normal"
	SpeechWarning = "warning"
	SpeechOver    = "over"

	// SpeechWarningSeconds is how much time is left when the wall turns amber, so a speaker
	// can finish the sentence instead of being cut off at red.
	SpeechWarningSeconds = 30
)

// QueueEntry is one person waiting to speak on the current agenda item. OrderQueue fills the
// last three fields.
type QueueEntry struct {
	SlotID  uint64    `json:"slot_id"`
	UserID  uint64    `json:"user_id"`
	Name    string    `json:"name"`
	Stance  string    `json:"stance"`
	AskedAt time.Time `json:"asked_at"`
	// Spoken is how many speeches the person has already given on this item.
	Spoken int `json:"spoken"`
	// Blocked entries are listed but not offered; Reason says why.
	Blocked bool   `json:"blocked"`
	Reason  string `json:"reason,omitempty"`
}

// SpeechRecord is one speech already given at the meeting.
type SpeechRecord struct {
	UserID     uint64 `json:"user_id"`
	Stance     string `json:"stance"`
	AgendaItem int    `json:"agenda_item"`
}

// OrderQueue suggests who speaks next on agenda item item under the Chinese adaptation of
// Robert's rules (docs/domain.md "The round table", 机会均等 and 限时限次). The facilitator still calls each
// speaker; this is the order the queue screen offers.
//
// history is the meeting's speeches in the order they were given; only those on item count, so
// the caller may pass the whole meeting. limit is the speeches a person may give on one item
// (zero or less: DefaultSpeechesPerItem).
//
// The result lists every waiting entry exactly once. Offered entries come first, in the
// suggested order: people with fewer speeches on the item before people with more (so everyone
// who has not spoken comes before any repeat speaker); within that, by asking time (then slot
// id), except that a speaker of the same side as the last pro or con speech is passed over for
// the earliest waiting speaker of another stance, so the sides alternate. A neutral speaker is
// never passed over and does not reset the alternation: after pro, neutral, the next pick
// still prefers con. Blocked entries follow in asking order: people who have reached the limit,
// and any later slot of a person who already has one waiting. An unknown stance counts as
// neutral.
func OrderQueue(waiting []QueueEntry, history []SpeechRecord, item, limit int) []QueueEntry {
	if limit <= 0 {
		limit = DefaultSpeechesPerItem
	}
	spoken := map[uint64]int{}
	lastSide := ""
	for _, r := range history {
		if r.AgendaItem != item {
			continue
		}
		spoken[r.UserID]++
		if s := queueSide(r.Stance); s != "" {
			lastSide = s
		}
	}

	byAsk := slices.Clone(waiting)
	slices.SortStableFunc(byAsk, func(a, b QueueEntry) int {
		if c := a.AskedAt.Compare(b.AskedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.SlotID, b.SlotID)
	})
	var offered, blocked []QueueEntry
	queued := map[uint64]bool{}
	for _, e := range byAsk {
		e.Spoken, e.Blocked, e.Reason = spoken[e.UserID], false, ""
		switch {
		case e.Spoken >= limit:
			e.Blocked, e.Reason = true, QueueSpeechLimit
		case queued[e.UserID]:
			e.Blocked, e.Reason = true, QueueAlreadyQueued
		}
		if e.Blocked {
			blocked = append(blocked, e)
			continue
		}
		queued[e.UserID] = true
		offered = append(offered, e)
	}
	// Stable on asking order, so each tier keeps it.
	slices.SortStableFunc(offered, func(a, b QueueEntry) int { return cmp.Compare(a.Spoken, b.Spoken) })

	out := make([]QueueEntry, 0, len(waiting))
	for len(offered) > 0 {
		tier := offered[0].Spoken
		pick := 0
		for i, e := range offered {
			if e.Spoken != tier {
				break
			}
			if lastSide == "" || queueSide(e.Stance) != lastSide {
				pick = i
				break
			}
		}
		e := offered[pick]
		offered = slices.Delete(offered, pick, pick+1)
		if s := queueSide(e.Stance); s != "" {
			lastSide = s
		}
		out = append(out, e)
	}
	return append(out, blocked...)
}

// queueSide is the side a stance alternates on: pro or con, or "" for neutral and anything
// unknown.
func queueSide(stance string) string {
	if stance == StancePro || stance == StanceCon {
		return stance
	}
	return ""
}

// SpeechState is the projector's timer for a speech of seconds seconds (zero or less:
// DefaultSpeechSeconds) started at startedAt. remaining counts down in whole seconds, rounded
// up like a countdown clock, so the display reads the full time at the start and 0 at the
// exact end; past the end it goes negative, for the wall to show the overrun. phase is
// SpeechWarning from SpeechWarningSeconds left (amber) and SpeechOver from 0 (red). A now
// before startedAt, from a clock slightly behind the one that started the speech, reads as
// the full time rather than more.
func SpeechState(startedAt time.Time, seconds int, now time.Time) (remaining int, phase string) {
	if seconds <= 0 {
		seconds = DefaultSpeechSeconds
	}
	left := time.Duration(seconds)*time.Second - max(now.Sub(startedAt), 0)
	// Integer division truncates toward zero: that is the ceiling below zero, and above it one
	// more second is needed for any fraction.
	remaining = int(left / time.Second)
	if left > 0 && left%time.Second != 0 {
		remaining++
	}
	switch {
	case remaining <= 0:
		return remaining, SpeechOver
	case remaining <= SpeechWarningSeconds:
		return remaining, SpeechWarning
	default:
		return remaining, SpeechNormal
	}
}

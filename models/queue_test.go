package models_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

var queueT0 = time.Date(2026, 12, 12, 9, 30, 0, 0, time.UTC)

// wait is a slot: slot id, user id, stance, and seconds after queueT0 the hand went up.
func wait(slot, user uint64, stance string, sec int) models.QueueEntry {
	return models.QueueEntry{SlotID: slot, UserID: user, Name: fmt.Sprintf("居民%d", user), Stance: stance,
		AskedAt: queueT0.Add(time.Duration(sec) * time.Second)}
}

// spoke is a speech given on agenda item 1.
func spoke(user uint64, stance string) models.SpeechRecord {
	return models.SpeechRecord{UserID: user, Stance: stance, AgendaItem: 1}
}

// brief renders an ordered queue as slot ids, with the reason for blocked entries.
func brief(q []models.QueueEntry) []string {
	out := make([]string, len(q))
	for i, e := range q {
		out[i] = fmt.Sprint(e.SlotID)
		if e.Blocked {
			out[i] += " " + e.Reason
		}
	}
	return out
}

const (
	pro = models.StancePro
	con = models.StanceCon
	neu = models.StanceNeutral
)

func TestOrderQueue(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		waiting []models.QueueEntry
		history []models.SpeechRecord
		limit   int
		want    []string
	}{
		{
			name:    "EmptyQueue",
			history: []models.SpeechRecord{spoke(1, pro)},
			want:    []string{},
		},
		{
			name:    "FirstTimersBeforeRepeaters",
			waiting: []models.QueueEntry{wait(1, 1, neu, 1), wait(2, 2, neu, 2), wait(3, 3, neu, 3)},
			history: []models.SpeechRecord{spoke(1, neu), spoke(2, neu)},
			want:    []string{"3", "1", "2"},
		},
		{
			name:    "FirstTimersBeforeRepeatersEvenAgainstAlternation",
			waiting: []models.QueueEntry{wait(1, 1, con, 1), wait(2, 3, pro, 2)},
			history: []models.SpeechRecord{spoke(1, con), spoke(2, pro)},
			want:    []string{"2", "1"},
		},
		{
			name:    "AskingOrderWithoutHistory",
			waiting: []models.QueueEntry{wait(1, 1, neu, 5), wait(2, 2, neu, 1), wait(3, 3, neu, 3)},
			want:    []string{"2", "3", "1"},
		},
		{
			name:    "TiesByAskTimeGoToTheEarlierSlot",
			waiting: []models.QueueEntry{wait(9, 1, neu, 4), wait(7, 2, neu, 4), wait(8, 3, neu, 2)},
			want:    []string{"8", "7", "9"},
		},
		{
			name:    "AlternatesAfterPro",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, pro, 2), wait(3, 3, con, 3), wait(4, 4, con, 4)},
			history: []models.SpeechRecord{spoke(9, pro)},
			want:    []string{"3", "1", "4", "2"},
		},
		{
			name:    "AlternatesAfterCon",
			waiting: []models.QueueEntry{wait(1, 1, con, 1), wait(2, 2, pro, 2), wait(3, 3, con, 3)},
			history: []models.SpeechRecord{spoke(9, con)},
			want:    []string{"2", "1", "3"},
		},
		{
			name:    "FirstSpeakerOfTheItemIsTheEarliest",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, pro, 2), wait(3, 3, con, 3)},
			want:    []string{"1", "3", "2"},
		},
		{
			name:    "OneSideOnlyKeepsAskingOrder",
			waiting: []models.QueueEntry{wait(1, 1, con, 1), wait(2, 2, con, 2)},
			history: []models.SpeechRecord{spoke(9, con)},
			want:    []string{"1", "2"},
		},
		{
			name:    "NeutralIsNeverPassedOver",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, neu, 2), wait(3, 3, con, 3)},
			history: []models.SpeechRecord{spoke(9, pro)},
			want:    []string{"2", "3", "1"},
		},
		{
			name:    "NeutralDoesNotResetAlternation",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, con, 2)},
			history: []models.SpeechRecord{spoke(9, pro), spoke(8, neu)},
			want:    []string{"2", "1"},
		},
		{
			name:    "NeutralWaitsItsTurnAmongSides",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, con, 2), wait(3, 3, neu, 3), wait(4, 4, pro, 4)},
			want:    []string{"1", "2", "3", "4"},
		},
		{
			name:    "UnknownStanceCountsAsNeutral",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, "", 2), wait(3, 3, con, 3)},
			history: []models.SpeechRecord{spoke(9, pro), spoke(8, "abstain")},
			want:    []string{"2", "3", "1"},
		},
		{
			name:    "LimitBlocks",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, con, 2), wait(3, 3, pro, 3)},
			history: []models.SpeechRecord{spoke(1, pro), spoke(2, con), spoke(1, pro)},
			want:    []string{"3", "2", "1 speech_limit"},
		},
		{
			name:    "ZeroLimitMeansTwo",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1)},
			history: []models.SpeechRecord{spoke(1, pro), spoke(1, pro)},
			limit:   0,
			want:    []string{"1 speech_limit"},
		},
		{
			name:    "HigherLimitOrdersByFewestSpeeches",
			waiting: []models.QueueEntry{wait(1, 1, neu, 1), wait(2, 2, neu, 2), wait(3, 3, neu, 3), wait(4, 4, neu, 4)},
			history: []models.SpeechRecord{spoke(1, neu), spoke(1, neu), spoke(2, neu), spoke(4, neu), spoke(4, neu), spoke(4, neu)},
			limit:   3,
			want:    []string{"3", "2", "1", "4 speech_limit"},
		},
		{
			name:    "LimitOfOne",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, con, 2)},
			history: []models.SpeechRecord{spoke(1, pro)},
			limit:   1,
			want:    []string{"2", "1 speech_limit"},
		},
		{
			name:    "OtherItemsDoNotCount",
			waiting: []models.QueueEntry{wait(1, 1, pro, 1), wait(2, 2, pro, 2)},
			history: []models.SpeechRecord{{UserID: 1, Stance: pro, AgendaItem: 0}, {UserID: 1, Stance: pro, AgendaItem: 0}, {UserID: 9, Stance: con, AgendaItem: 0}},
			want:    []string{"1", "2"},
		},
		{
			name:    "SecondSlotOfOnePersonBlocked",
			waiting: []models.QueueEntry{wait(4, 1, con, 4), wait(1, 1, pro, 1), wait(2, 2, pro, 2)},
			want:    []string{"1", "2", "4 already_queued"},
		},
		{
			name:    "BlockedListedInAskingOrder",
			waiting: []models.QueueEntry{wait(3, 3, neu, 3), wait(1, 1, neu, 1), wait(2, 2, neu, 2)},
			history: []models.SpeechRecord{spoke(3, neu), spoke(3, neu), spoke(1, neu), spoke(1, neu)},
			want:    []string{"2", "1 speech_limit", "3 speech_limit"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := models.OrderQueue(tt.waiting, tt.history, 1, tt.limit)
			if g := brief(got); !reflect.DeepEqual(g, tt.want) {
				t.Fatalf("order=%v, want %v", g, tt.want)
			}
		})
	}
}

// TestOrderQueue_Fields: the entries come back whole, with the speeches already given, and the
// caller's slice is left alone.
func TestOrderQueue_Fields(t *testing.T) {
	t.Parallel()
	waiting := []models.QueueEntry{wait(2, 2, con, 2), wait(1, 1, pro, 1)}
	waiting[0].Blocked, waiting[0].Reason = true, "stale"
	before := append([]models.QueueEntry(nil), waiting...)
	got := models.OrderQueue(waiting, []models.SpeechRecord{spoke(1, pro)}, 1, 2)
	want := []models.QueueEntry{wait(2, 2, con, 2), wait(1, 1, pro, 1)}
	want[1].Spoken = 1
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if !reflect.DeepEqual(waiting, before) {
		t.Fatalf("input changed to %+v", waiting)
	}
}

func TestSpeechState(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		seconds   int
		elapsed   time.Duration
		remaining int
		phase     string
	}{
		{"Start", 120, 0, 120, models.SpeechNormal},
		{"HalfASecondIn", 120, 500 * time.Millisecond, 120, models.SpeechNormal},
		{"JustOver30Left", 120, 89*time.Second + 500*time.Millisecond, 31, models.SpeechNormal},
		{"Exactly30Left", 120, 90 * time.Second, 30, models.SpeechWarning},
		{"JustUnder30Left", 120, 90*time.Second + time.Millisecond, 30, models.SpeechWarning},
		{"OneLeft", 120, 119 * time.Second, 1, models.SpeechWarning},
		{"UnderOneLeft", 120, 119*time.Second + 999*time.Millisecond, 1, models.SpeechWarning},
		{"ExactlyZero", 120, 120 * time.Second, 0, models.SpeechOver},
		{"HalfASecondOver", 120, 120*time.Second + 500*time.Millisecond, 0, models.SpeechOver},
		{"FifteenOver", 120, 135 * time.Second, -15, models.SpeechOver},
		{"ClockBehindStart", 120, -5 * time.Second, 120, models.SpeechNormal},
		{"DefaultLength", 0, 0, models.DefaultSpeechSeconds, models.SpeechNormal},
		{"NegativeLengthIsDefault", -1, 90 * time.Second, 30, models.SpeechWarning},
		{"ShortSpeechStartsAmber", 20, 0, 20, models.SpeechWarning},
		{"ThreeMinutes", 180, 149 * time.Second, 31, models.SpeechNormal},
		{"ThreeMinutesAmber", 180, 150 * time.Second, 30, models.SpeechWarning},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rem, phase := models.SpeechState(queueT0, tt.seconds, queueT0.Add(tt.elapsed))
			if rem != tt.remaining || phase != tt.phase {
				t.Fatalf("SpeechState=(%d, %q), want (%d, %q)", rem, phase, tt.remaining, tt.phase)
			}
		})
	}
}

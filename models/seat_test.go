package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// seatWorld is a world with a meeting scheduled in a cycle that collects cards.
func seatWorld(t *testing.T) (*world, *models.Meeting) {
	t.Helper()
	w := mustOpenWorld(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cp, err := w.s.CreateCompound(ctx, w.super, w.c.ID, models.CompoundInput{Name: "安友花园"})
	must(err)
	cy, err := w.s.CreateCycle(ctx, w.super, w.c.ID, models.CycleInput{Month: "2026-12", CompoundID: cp.ID, Reason: "居民反映最集中"})
	must(err)
	_, err = w.s.AdvanceCycle(ctx, w.super, cy.ID, models.PhaseTopicCollection, "")
	must(err)
	tp, err := w.s.ProposeTopic(ctx, w.super, cy.ID, models.TopicInput{Title: "加装电梯"})
	must(err)
	_, err = w.s.AdvanceCycle(ctx, w.super, cy.ID, models.PhaseTopicSelection, "")
	must(err)
	_, err = w.s.SelectTopic(ctx, w.super, cy.ID, tp.ID, "附议最多")
	must(err)
	_, err = w.s.AdvanceCycle(ctx, w.super, cy.ID, models.PhaseCardCollection, "")
	must(err)
	m, err := w.s.ScheduleMeeting(ctx, w.super, cy.ID, models.MeetingInput{Title: "加装电梯圆桌会",
		StartsAt: time.Date(2026, 12, 20, 11, 30, 0, 0, time.UTC), Location: "2号楼架空层"})
	must(err)
	return w, m
}

// TestSeat_Remove: a removed seat keeps its row for the record, frees its invitee and leaves the
// meeting's figures; removing it again changes nothing.
func TestSeat_Remove(t *testing.T) {
	t.Parallel()
	w, m := seatWorld(t)
	ctx := context.Background()
	guest := func(kind, label, name string) *models.Seat {
		t.Helper()
		st, err := w.s.InviteSeat(ctx, w.super, m.ID, models.SeatInput{Kind: kind, Label: label, Invitee: models.Invitee{Name: name}})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	a := guest(models.SeatExpert, "电梯专家", "王工")
	b := guest(models.SeatDepartment, "区住建局", "李科长")
	if err := w.s.RemoveSeat(ctx, w.super, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.s.RemoveSeat(ctx, w.super, a.ID); err != nil {
		t.Fatalf("removing again: %v", err)
	}
	var row models.Seat
	if err := w.s.Gorm().Take(&row, a.ID).Error; err != nil {
		t.Fatalf("the removed seat's row is gone: %v", err)
	}
	if row.RemovedAt == nil || row.InviteeKey != nil || row.GuestName == nil || *row.GuestName != "王工" || row.Label != "电梯专家" {
		t.Fatalf("removed row=%+v, want removed_at set, the invitee kept and the key freed", row)
	}
	var next models.Seat
	if err := w.s.Gorm().Take(&next, b.ID).Error; err != nil || next.Position != 1 {
		t.Fatalf("the next seat: position=%d err=%v, want 1", next.Position, err)
	}
	got, err := w.s.GetMeeting(ctx, w.super, m.ID)
	if err != nil || got.SeatCount != 1 {
		t.Fatalf("meeting seats=%d err=%v, want 1", got.SeatCount, err)
	}
	// The guest may be seated again.
	if again := guest(models.SeatExpert, "电梯专家", "王工"); again.Position != 2 {
		t.Fatalf("re-invited at position %d, want 2", again.Position)
	}
	label := "改名"
	if _, err := w.s.UpdateSeat(ctx, w.super, a.ID, models.SeatChange{Label: &label}); models.ErrorCode(err) != models.ECONFLICT {
		t.Fatalf("changing a removed seat: err=%v, want a conflict", err)
	}
}

package main

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
)

type countingNotifier struct{ n atomic.Int32 }

func (c *countingNotifier) Notify() { c.n.Add(1) }

// TestBroker_WiredToCommits: the serve command's wiring wakes the broker after every commit
// that appended events (and after nothing else), and a hook the store already had still runs.
func TestBroker_WiredToCommits(t *testing.T) {
	store := testenv.Open(t)
	var before atomic.Int32
	prev := store.AfterCommit
	store.AfterCommit = func(evs []models.Event) {
		prev(evs)
		before.Add(int32(len(evs)))
	}
	var b countingNotifier
	notifyOnCommit(store, &b)
	ctx := context.Background()
	u, err := store.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "super-pass-1", Role: "superadmin"})
	if err != nil {
		t.Fatal(err)
	}
	if n := b.n.Load(); n != 0 {
		t.Fatalf("woken %d times by a change that logs no event", n)
	}
	c, err := store.CreateCommunity(ctx, u.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateCompound(ctx, u.Actor(), c.ID, models.CompoundInput{Name: "一区"}); err != nil {
		t.Fatal(err)
	}
	if n, m := b.n.Load(), before.Load(); n != 2 || m != 2 {
		t.Fatalf("woken %d times, earlier hook saw %d events; want 2 and 2", n, m)
	}
	// newBroker wires the same way: its broker is woken too (and the earlier hooks still run).
	nb := newBroker(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer nb.Close()
	if _, err := store.CreateCompound(ctx, u.Actor(), c.ID, models.CompoundInput{Name: "二区"}); err != nil {
		t.Fatal(err)
	}
	if n, m := b.n.Load(), before.Load(); n != 3 || m != 3 {
		t.Fatalf("after newBroker: woken %d times, earlier hook saw %d events; want 3 and 3", n, m)
	}
}

package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// The group commit: many writes at once share transactions; one that fails rolls back alone
// (its row and its event are gone), the others commit with their events chained in order.
func TestTxBatched_FailsAlone(t *testing.T) {
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	var delivered int
	var mu sync.Mutex
	w.s.AfterCommit = func(evs []models.Event) {
		mu.Lock()
		delivered += len(evs)
		mu.Unlock()
	}
	const n = 120
	errBad := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.s.TxBatched(ctx, func(tx *models.Tx) error {
				org := models.Organization{CommunityID: w.c.ID, Name: fmt.Sprintf("org-%d", i), Kind: "other"}
				if err := tx.Create(&org).Error; err != nil {
					return err
				}
				if _, err := tx.AppendEvent(models.EventInput{CommunityID: w.c.ID, Type: "test.batched",
					SubjectType: "organization", SubjectID: org.ID}); err != nil {
					return err
				}
				if i%3 == 0 {
					return errBad // after writing: the savepoint must take the row and the event back
				}
				return nil
			})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case i%3 == 0 && !errors.Is(err, errBad):
			t.Fatalf("write %d: err=%v, want its own error", i, err)
		case i%3 != 0 && err != nil:
			t.Fatalf("write %d: %v", i, err)
		case err == nil:
			ok++
		}
	}
	var orgs, evs int64
	if err := w.s.Gorm().Model(&models.Organization{}).Where("name LIKE ?", "org-%").Count(&orgs).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.s.Gorm().Model(&models.Event{}).Where("type = ?", "test.batched").Count(&evs).Error; err != nil {
		t.Fatal(err)
	}
	if orgs != int64(ok) || evs != int64(ok) {
		t.Fatalf("rows=%d events=%d, want %d each", orgs, evs, ok)
	}
	if delivered < ok {
		t.Fatalf("AfterCommit saw %d events, want at least %d", delivered, ok)
	}
	v, err := w.s.VerifyChain(ctx, w.c.ID)
	if err != nil || !v.OK {
		t.Fatalf("chain after batches: %+v, %v", v, err)
	}
}

package models_test

import (
	"context"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// TestEventHead_TwoInstances: two stores on one database (two server instances) append to one
// community's chain, one after the other and at once. Each store's hint of the head its last
// commit left goes stale whenever the other appends; the chain stays whole and gapless.
func TestEventHead_TwoInstances(t *testing.T) {
	t.Parallel()
	dsn, dir := testenv.DSN(t)
	open := func() *models.Store {
		s, err := models.Open(models.OpenOptions{DSN: dsn, DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	if err := migrations.Up(a.Gorm()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := a.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "super-pass-1", Role: "superadmin"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.CreateCommunity(ctx, u.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	delivered := map[uint64]bool{}
	for _, s := range []*models.Store{a, b} {
		s.AfterCommit = func(evs []models.Event) {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range evs {
				delivered[e.ID] = true
			}
		}
	}
	appendOn := func(s *models.Store, n int) error {
		return s.TxBatched(ctx, func(tx *models.Tx) error {
			_, err := tx.AppendEvent(models.EventInput{CommunityID: c.ID, Type: "test.instance", SubjectType: "community",
				SubjectID: uint64(n)})
			return err
		})
	}
	for i := range 6 {
		if err := appendOn([]*models.Store{a, b}[i%3%2], i); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = appendOn([]*models.Store{a, b}[i%2], 100+i)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("append at once %d: %v", i, err)
		}
	}
	v, err := a.VerifyChain(ctx, c.ID)
	if err != nil || !v.OK {
		t.Fatalf("chain: %+v, %v", v, err)
	}
	var n int64
	if err := a.Gorm().Model(&models.Event{}).Where("type = ?", "test.instance").Count(&n).Error; err != nil || n != 46 {
		t.Fatalf("%d events (%v), want 46", n, err)
	}
	if len(delivered) != 46 || delivered[0] {
		t.Fatalf("AfterCommit delivered %d distinct ids (a zero id: %v), want the 46 events with their ids", len(delivered), delivered[0])
	}
}

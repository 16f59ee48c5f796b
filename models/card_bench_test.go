package models_test

// Card submissions per second, next to a bare single-row insert through the same driver and
// the same write handle in the same run: the ratio is what the submit path (role check, phase
// lock, idempotency lookup, card row, chained event) costs over the database's own floor.
//
//	go test -run XXX -bench 'CardSubmit|BareInsert' ./models/
//	YYT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run XXX -bench 'CardSubmit|BareInsert' ./models/

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
	"gorm.io/gorm"
)

// cardWorld is a cycle in card collection and a verified resident.
func cardWorld(b *testing.B) (*models.Store, models.Actor, *models.Cycle, uint64) {
	b.Helper()
	ctx := context.Background()
	s := testenv.Open(b)
	super, err := s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "bench-pass-1", Role: "superadmin"})
	if err != nil {
		b.Fatal(err)
	}
	sa := super.Actor()
	c, err := s.CreateCommunity(ctx, sa, models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		b.Fatal(err)
	}
	cp, err := s.CreateCompound(ctx, sa, c.ID, models.CompoundInput{Name: "安友花园"})
	if err != nil {
		b.Fatal(err)
	}
	m, err := s.AddMember(ctx, sa, c.ID, models.AddMemberInput{Phone: "13800000006", Name: "居民", Password: "bench-pass-1", Roles: []string{"resident"}})
	if err != nil {
		b.Fatal(err)
	}
	cy, err := s.CreateCycle(ctx, sa, c.ID, models.CycleInput{Month: "2026-12", CompoundID: cp.ID, Reason: "居民反映最集中"})
	if err != nil {
		b.Fatal(err)
	}
	step := func(to string) {
		if _, err := s.AdvanceCycle(ctx, sa, cy.ID, to, ""); err != nil {
			b.Fatal(err)
		}
	}
	step(models.PhaseTopicCollection)
	tp, err := s.ProposeTopic(ctx, sa, cy.ID, models.TopicInput{Title: "加装电梯"})
	if err != nil {
		b.Fatal(err)
	}
	step(models.PhaseTopicSelection)
	if _, err := s.SelectTopic(ctx, sa, cy.ID, tp.ID, "附议最多"); err != nil {
		b.Fatal(err)
	}
	step(models.PhaseCardCollection)
	return s, models.Actor{UserID: m.UserID}, cy, c.ID
}

// smallPhoto is a 640×480 phone-like JPEG (about 40 KB).
func smallPhoto(b *testing.B) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkCardSubmit(b *testing.B) {
	ctx := context.Background()
	b.Run(testenv.Name()+"/text", func(b *testing.B) {
		s, resident, cy, _ := cardWorld(b)
		i := 0
		for b.Loop() {
			i++
			if _, _, err := s.SubmitCard(ctx, resident, cy.ID, models.CardInput{Body: fmt.Sprintf("建议%d：分单元表决，先装愿意装的单元", i),
				IdempotencyKey: fmt.Sprintf("k-%d", i)}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
	})
	b.Run(testenv.Name()+"/photo", func(b *testing.B) {
		s, resident, cy, cid := cardWorld(b)
		photo := smallPhoto(b)
		i := 0
		for b.Loop() {
			i++
			up, err := s.SaveUpload(ctx, resident, cid, bytes.NewReader(photo))
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.SubmitCard(ctx, resident, cy.ID, models.CardInput{Body: fmt.Sprintf("建议%d", i), PhotoID: &up.ID}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
	})
}

// BenchmarkBareInsert is the floor: one row, one transaction, the same write handle.
func BenchmarkBareInsert(b *testing.B) {
	s := testenv.Open(b)
	db := s.Gorm()
	if err := db.Exec("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY AUTO_INCREMENT, body VARCHAR(400) NOT NULL)").Error; err != nil {
		// SQLite spells auto-increment differently.
		if err := db.Exec("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, body VARCHAR(400) NOT NULL)").Error; err != nil {
			b.Fatal(err)
		}
	}
	b.Run(testenv.Name()+"/autocommit", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if err := db.Exec("INSERT INTO bench_rows (body) VALUES (?)", fmt.Sprintf("建议%d：分单元表决", i)).Error; err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	// Every write of the product is a transaction (BEGIN IMMEDIATE on SQLite): the same insert
	// inside one is the floor a submit is really measured against.
	b.Run(testenv.Name()+"/transaction", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			err := db.Transaction(func(tx *gorm.DB) error {
				return tx.Exec("INSERT INTO bench_rows (body) VALUES (?)", fmt.Sprintf("建议%d：分单元表决", i)).Error
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

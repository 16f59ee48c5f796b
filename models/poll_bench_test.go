package models_test

// How long a poll's result takes with 100, 10,000 and 1,000,000 ballots on it. The result is
// computed from the running tallies, so its time must not grow with the ballots; the
// committee's recount reads every ballot row, and its time is reported next to it (recount-ms)
// after checking that the two agree.
//
//	go test -run XXX -bench PollResults ./models/
//	YYT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run XXX -bench PollResults ./models/

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// seedBallots writes n named dot-vote ballots with their receipts in bulk — the rows CastBallot
// writes, 1,000 to a statement — and puts their sums into the poll's running tallies, as the
// ballots one by one would have. (A secret poll keeps no ballot rows to recount.)
func seedBallots(b *testing.B, s *models.Store, p *models.Poll, voter models.Actor, n int) {
	b.Helper()
	db := s.Gorm()
	rng := rand.New(rand.NewPCG(uint64(n), 2026))
	totals := map[uint64]tally.Line{}
	now := time.Now().UTC()
	const batch = 1000
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		var receipts, ballots strings.Builder
		var rargs, bargs []any
		for i := start; i < end; i++ {
			opt := p.Options[rng.IntN(len(p.Options))].ID
			dots := int64(1 + rng.IntN(p.MaxDotsPerOption))
			l := totals[opt]
			l.Points += dots
			l.Supporters++
			totals[opt] = l
			if i > start {
				receipts.WriteString(",")
				ballots.WriteString(",")
			}
			receipts.WriteString("(?, ?, ?)")
			rargs = append(rargs, p.ID, uint64(i+1), voter.UserID)
			ballots.WriteString("(?, ?, ?, ?, 0, 0, ?, ?)")
			bargs = append(bargs, p.ID, uint64(i+1), voter.UserID, fmt.Sprintf(`{"%d":%d}`, opt, dots), now, now)
		}
		if err := db.Exec("INSERT INTO poll_receipts (poll_id, voter_key, user_id) VALUES "+receipts.String(), rargs...).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.Exec("INSERT INTO poll_named_ballots (poll_id, voter_key, user_id, choice, area, changes, created_at, updated_at) VALUES "+
			ballots.String(), bargs...).Error; err != nil {
			b.Fatal(err)
		}
	}
	for id, l := range totals {
		if err := db.Exec("UPDATE poll_option_tallies SET online_points = ?, online_supporters = ? WHERE option_id = ? AND shard = 0",
			l.Points, l.Supporters, id).Error; err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Exec("UPDATE poll_option_tallies SET online_voters = ? WHERE option_id = ? AND shard = 0", n, p.Options[0].ID).Error; err != nil {
		b.Fatal(err)
	}
}

func BenchmarkPollResults(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 10_000, 1_000_000} {
		b.Run(fmt.Sprintf("%s/%d", testenv.Name(), n), func(b *testing.B) {
			pw := mustPollWorld(b, 1)
			s := pw.s
			p, err := s.CreateMeetingPoll(ctx, pw.facilitator, pw.meeting.ID, models.PollInput{Title: "贴点投票", Method: tally.Dot,
				Options: labels(6), DotsPerVoter: intp(3), MaxDotsPerOption: intp(3), Eligibility: models.EligibleMembers,
				Weight: models.WeightPerson, Secrecy: models.SecrecyNamed, ResultsVisibility: models.ResultsLive})
			if err != nil {
				b.Fatal(err)
			}
			if p, err = s.OpenPoll(ctx, pw.facilitator, p.ID); err != nil {
				b.Fatal(err)
			}
			seedBallots(b, s, p, pw.residents[0], n)
			start := time.Now()
			r, err := s.PollResults(ctx, pw.facilitator, p.ID, true)
			recount := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if r.OnlineVoters != int64(n) || !r.Recount.Matches || r.Recount.Ballots != int64(n) {
				b.Fatalf("%d ballots: voters=%d recount=%+v", n, r.OnlineVoters, r.Recount)
			}
			for b.Loop() {
				if _, err := s.PollResults(ctx, pw.facilitator, p.ID, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(recount.Microseconds())/1000, "recount-ms")
		})
	}
}

package models

import (
	"context"
	"fmt"
	"time"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// Secret polls (docs/ballot-secrecy.md). A secret ballot has no row: the voter's receipt says
// that they voted, and the choice is added to the poll's running tallies in the same (batched)
// transaction, and nowhere else. What could still pair a receipt with a tally's change — the
// transaction that last wrote a row (InnoDB's DB_TRX_ID), the order rows were written in, old
// page images in SQLite's write-ahead log — is wiped when the poll closes: sealSecretPoll
// rewrites the tallies as one fresh row per option and every receipt in key order in the
// closing transaction, and forgetHistory empties the log after the commit.

// sealSecretPoll rewrites a closing secret poll's tallies and receipts in the closing transaction,
// so that the last writer of each is that transaction and their order is the options' and the
// voters' keys': the shards a ballot was added to and the order receipts were made in are gone.
func sealSecretPoll(tx *Tx, p *Poll) error {
	var sums []pollOptionTally
	if err := tx.forUpdate().Model(&pollOptionTally{}).Select(`option_id, SUM(online_points) AS online_points,
		SUM(online_supporters) AS online_supporters, SUM(online_area) AS online_area, SUM(online_voters) AS online_voters,
		SUM(offline_points) AS offline_points, SUM(offline_area) AS offline_area, SUM(offline_voters) AS offline_voters`).
		Where("poll_id = ?", p.ID).Group("option_id").Scan(&sums).Error; err != nil {
		return fmt.Errorf("read tallies of poll %d: %w", p.ID, err)
	}
	byOption := make(map[uint64]pollOptionTally, len(sums))
	for _, s := range sums {
		byOption[s.OptionID] = s
	}
	if err := tx.Where("poll_id = ?", p.ID).Delete(&pollOptionTally{}).Error; err != nil {
		return fmt.Errorf("clear tallies of poll %d: %w", p.ID, err)
	}
	fresh := make([]pollOptionTally, 0, len(p.Options))
	for _, o := range p.Options {
		t := byOption[o.ID]
		t.OptionID, t.Shard, t.PollID = o.ID, 0, p.ID
		fresh = append(fresh, t)
	}
	if err := tx.Create(&fresh).Error; err != nil {
		return fmt.Errorf("seal tallies of poll %d: %w", p.ID, err)
	}
	var receipts []pollReceipt
	if err := tx.Where("poll_id = ?", p.ID).Order("voter_key").Find(&receipts).Error; err != nil {
		return fmt.Errorf("read receipts of poll %d: %w", p.ID, err)
	}
	if len(receipts) == 0 {
		return nil
	}
	if err := tx.Where("poll_id = ?", p.ID).Delete(&pollReceipt{}).Error; err != nil {
		return fmt.Errorf("clear receipts of poll %d: %w", p.ID, err)
	}
	if err := tx.CreateInBatches(&receipts, 500).Error; err != nil {
		return fmt.Errorf("seal receipts of poll %d: %w", p.ID, err)
	}
	return nil
}

// afterSecretClose empties the database's log of old row versions once a secret poll's close
// committed. Readers holding an old snapshot can make it fail; it is then tried again in the
// background a few times, since the close itself is committed and answered.
func (s *Store) afterSecretClose(ctx context.Context) {
	if s.forgetHistory(ctx) == nil {
		return
	}
	go func() {
		for range 12 {
			time.Sleep(5 * time.Second)
			if s.forgetHistory(context.Background()) == nil {
				return
			}
		}
	}()
}

// MinSecretCount is the fewest voters an option of a closed secret poll may have, if any,
// before its totals could reveal how someone voted (a neighbour who knows who voted, and that a
// few chose it, may guess who).
const MinSecretCount = 5

// smallCounts reports a closed secret poll's result whose totals could give a choice away: an
// option chosen by 1 to MinSecretCount-1 voters, or every voter on one option.
func smallCounts(r tally.Result) bool {
	if r.Voters == 0 {
		return false
	}
	for _, o := range r.Options {
		if (o.Supporters > 0 && o.Supporters < MinSecretCount) || o.Supporters == r.Voters {
			return true
		}
	}
	return false
}

// Things a recount cannot re-derive, by design.
const (
	// NotRederivedSecretChoices: a secret poll keeps no ballot, only the tallies they were added
	// to, so the online counts per option are taken as they are; receipts are counted against
	// the voters the tallies hold.
	NotRederivedSecretChoices = "secret_choices"
	// NotRederivedSecretPaper: a secret owners' poll's paper ballots keep their unit and number
	// but not their choice, so their counts per option are taken as they are too.
	NotRederivedSecretPaper = "secret_paper_choices"
)

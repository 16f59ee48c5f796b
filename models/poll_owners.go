package models

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// Owners' polls (业主表决, docs/domain.md "Voting", docs/domain.md "Owners' decisions: Civil Code article 278") decide a Civil Code art. 278
// matter: an approval poll on the cycle, eligibility owners, weight owner_area and a 278 rule.
// Its scope is the cycle's compound, or some of its buildings (an elevator retrofit is voted per
// stairwell). When it opens, the owners' register of that scope is frozen into the poll's roll
// (表决名册): one row per exclusive unit with its owner and area, and the base the thresholds
// count against — units, owners by head (an owner of several units once; a unit without a
// recorded owner as its own) and area. From then on the roll decides who votes and with what
// weight, and the base is what the result is measured against: a register edit during the vote
// (an owner added, a unit sold) changes neither, so the result is reproducible from the roll,
// and it takes effect for the next owners' poll. A member votes once for all their units in the
// scope (voter key: their user id) with the units' areas summed; owners known by name vote on
// paper, which the facilitator enters as offline counts with heads and area per option.

// MaxPollBuildings bounds the buildings of an owners' poll's scope.
const MaxPollBuildings = 50

// pollOwnerScope is an owners' poll's scope and, once it opened, its frozen base.
type pollOwnerScope struct {
	PollID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	CompoundID uint64
	Units      int64
	Heads      int64
	AreaCenti  int64
	FrozenAt   *time.Time
}

func (pollOwnerScope) TableName() string { return "poll_owner_scopes" }

// pollOwnerBuilding is one building of a scope limited to some buildings.
type pollOwnerBuilding struct {
	PollID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	BuildingID uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (pollOwnerBuilding) TableName() string { return "poll_owner_buildings" }

// OwnerPollBase is an owners' poll's scope and the base its 278 thresholds are measured against:
// exclusive units, owners by head and area (m²). FrozenAt is when the poll opened and froze its
// roll; before that (a draft) the figures are the register's as it is now.
type OwnerPollBase struct {
	CompoundID  uint64     `json:"compound_id"`
	BuildingIDs []uint64   `json:"building_ids"`
	Units       int64      `json:"units"`
	Heads       int64      `json:"heads"`
	Area        float64    `json:"area"`
	FrozenAt    *time.Time `json:"frozen_at"`
	areaCenti   int64
}

// OwnerPollStake is what the caller holds in an owners' poll: their exclusive units in its roll
// and the area (m²) their one ballot weighs.
type OwnerPollStake struct {
	Units []StakeUnit `json:"units"`
	Area  float64     `json:"area"`
}

// StakeUnit is one of the caller's units in an owners' poll.
type StakeUnit struct {
	HouseholdID  uint64  `json:"household_id"`
	BuildingName string  `json:"building_name"`
	Room         string  `json:"room"`
	Area         float64 `json:"area"`
}

// checkOwnerPoll validates what an owners' poll needs beyond PollInput.check: the buildings of
// its scope, which must belong to the cycle's compound. It returns the scope.
func checkOwnerPoll(tx *Tx, pl *pollPlace, buildingIDs []uint64) (OwnerScope, error) {
	sc := OwnerScope{CompoundID: pl.CompoundID, BuildingIDs: uniqueIDs(buildingIDs)}
	if err := checkScope(tx.DB, sc); err != nil {
		if ErrorCode(err) == EINVALID {
			return sc, FieldError("building_ids", "building_not_in_compound")
		}
		return sc, err
	}
	slices.Sort(sc.BuildingIDs)
	return sc, nil
}

// createOwnerScope stores a new owners' poll's scope.
func createOwnerScope(tx *Tx, pollID uint64, sc OwnerScope) error {
	if err := tx.Create(&pollOwnerScope{PollID: pollID, CompoundID: sc.CompoundID}).Error; err != nil {
		return fmt.Errorf("create scope of poll %d: %w", pollID, err)
	}
	for _, b := range sc.BuildingIDs {
		if err := tx.Create(&pollOwnerBuilding{PollID: pollID, BuildingID: b}).Error; err != nil {
			return fmt.Errorf("create scope of poll %d: %w", pollID, err)
		}
	}
	return nil
}

// readOwnerScope reads an owners' poll's scope row and its buildings, in id order.
func readOwnerScope(db *gorm.DB, pollID uint64) (*pollOwnerScope, OwnerScope, error) {
	var row pollOwnerScope
	if err := db.Take(&row, "poll_id = ?", pollID).Error; err != nil {
		return nil, OwnerScope{}, fmt.Errorf("read scope of poll %d: %w", pollID, err)
	}
	sc := OwnerScope{CompoundID: row.CompoundID, BuildingIDs: []uint64{}}
	if err := db.Model(&pollOwnerBuilding{}).Where("poll_id = ?", pollID).Order("building_id").
		Pluck("building_id", &sc.BuildingIDs).Error; err != nil {
		return nil, OwnerScope{}, fmt.Errorf("read buildings of poll %d: %w", pollID, err)
	}
	return &row, sc, nil
}

// freezeOwnerRoll copies the register of an opening owners' poll's scope into its roll and
// stores the base, in the opening transaction (which holds the poll's row), so that both come
// from one register. A scope without any unit cannot open.
func freezeOwnerRoll(tx *Tx, p *Poll) (*OwnerPollBase, error) {
	row, sc, err := readOwnerScope(tx.DB, p.ID)
	if err != nil {
		return nil, err
	}
	b, err := ownerBase(tx.DB, sc)
	if err != nil {
		return nil, err
	}
	if b.Units == 0 {
		return nil, Errorf(ECONFLICT, "owner_roll_empty")
	}
	q := `INSERT INTO poll_owner_units (poll_id, household_id, owner_key, user_id, area_centi)
		SELECT ?, households.id, COALESCE(household_owners.owner_key, ''), household_owners.user_id, households.area_centi
		FROM households LEFT JOIN household_owners ON household_owners.household_id = households.id
		WHERE households.compound_id = ?`
	args := []any{p.ID, sc.CompoundID}
	if len(sc.BuildingIDs) > 0 {
		q += " AND households.building_id IN ?"
		args = append(args, sc.BuildingIDs)
	}
	res := tx.Exec(q, args...)
	if res.Error != nil {
		return nil, fmt.Errorf("freeze roll of poll %d: %w", p.ID, res.Error)
	}
	if res.RowsAffected != b.Units {
		return nil, fmt.Errorf("freeze roll of poll %d: %d units copied, %d counted", p.ID, res.RowsAffected, b.Units)
	}
	now := tx.Now()
	if err := tx.Model(&pollOwnerScope{}).Where("poll_id = ?", row.PollID).Updates(map[string]any{
		"units": b.Units, "heads": b.Heads, "area_centi": b.AreaCenti, "frozen_at": now}).Error; err != nil {
		return nil, fmt.Errorf("freeze base of poll %d: %w", p.ID, err)
	}
	return &OwnerPollBase{CompoundID: sc.CompoundID, BuildingIDs: sc.BuildingIDs, Units: b.Units, Heads: b.Heads,
		Area: tally.M2(b.AreaCenti), FrozenAt: &now, areaCenti: b.AreaCenti}, nil
}

// pollOwnerBase is an owners' poll's base: the frozen one once it opened, the register's now
// while it is a draft.
func pollOwnerBase(db *gorm.DB, p *Poll) (*OwnerPollBase, error) {
	row, sc, err := readOwnerScope(db, p.ID)
	if err != nil {
		return nil, err
	}
	out := &OwnerPollBase{CompoundID: sc.CompoundID, BuildingIDs: sc.BuildingIDs}
	if row.FrozenAt != nil {
		out.Units, out.Heads, out.areaCenti, out.FrozenAt = row.Units, row.Heads, row.AreaCenti, row.FrozenAt
	} else {
		b, err := ownerBase(db, sc)
		if err != nil {
			return nil, err
		}
		out.Units, out.Heads, out.areaCenti = b.Units, b.Heads, b.AreaCenti
	}
	out.Area = tally.M2(out.areaCenti)
	return out, nil
}

// ownerInput puts an owners' poll's base into a result's input: the eligible are the owners by
// head, and the 278 rules measure against heads and area.
func ownerInput(db *gorm.DB, p *Poll, in *tally.Input) error {
	b, err := pollOwnerBase(db, p)
	if err != nil {
		return err
	}
	in.Eligible, in.EligibleOwners, in.EligibleArea = b.Heads, b.Heads, b.areaCenti
	return nil
}

// stakeRow is one unit a member holds in an owners' poll.
type stakeRow struct {
	HouseholdID  uint64
	BuildingName string
	Room         string
	AreaCenti    int64
}

// ownerStakeRows lists a member's units in an owners' poll: from its roll once it opened, from
// the register of its scope while it is a draft.
func ownerStakeRows(db *gorm.DB, p *Poll, userID uint64) ([]stakeRow, error) {
	var rows []stakeRow
	if p.Status != PollDraft {
		err := db.Table("poll_owner_units").Select("poll_owner_units.household_id, buildings.name AS building_name, "+
			"households.room, poll_owner_units.area_centi").
			Joins("JOIN households ON households.id = poll_owner_units.household_id").
			Joins("JOIN buildings ON buildings.id = households.building_id").
			Where("poll_owner_units.poll_id = ? AND poll_owner_units.user_id = ?", p.ID, userID).
			Order("households.building_id, households.room").Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("read units of owner %d in poll %d: %w", userID, p.ID, err)
		}
		return rows, nil
	}
	_, sc, err := readOwnerScope(db, p.ID)
	if err != nil {
		return nil, err
	}
	err = sc.households(db).Select("households.id AS household_id, buildings.name AS building_name, households.room, "+
		"households.area_centi").
		Joins("JOIN buildings ON buildings.id = households.building_id").
		Joins("JOIN household_owners ON household_owners.household_id = households.id").
		Where("household_owners.owner_key = ?", memberOwnerKey(userID)).
		Order("households.building_id, households.room").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read units of owner %d: %w", userID, err)
	}
	return rows, nil
}

// readOwnerFacts adds a member's units and area in an owners' poll to a ballot's facts. Once the
// poll is open it is one indexed lookup in the roll, whatever the compound's size.
func readOwnerFacts(db *gorm.DB, p *Poll, userID uint64, f *ballotFacts) error {
	if p.Status == PollDraft {
		_, sc, err := readOwnerScope(db, p.ID)
		if err != nil {
			return err
		}
		st, err := ownerStake(db, sc, userID)
		if err != nil || st == nil {
			return err
		}
		f.OwnerUnits, f.OwnerArea = int64(len(st.HouseholdIDs)), st.AreaCenti
		return nil
	}
	var row struct{ Units, Area int64 }
	if err := db.Table("poll_owner_units").Select("COUNT(*) AS units, COALESCE(SUM(area_centi), 0) AS area").
		Where("user_id = ? AND poll_id = ?", userID, p.ID).Take(&row).Error; err != nil {
		return fmt.Errorf("read units of owner %d in poll %d: %w", userID, p.ID, err)
	}
	f.OwnerUnits, f.OwnerArea = row.Units, row.Area
	return nil
}

// pollStakeOf is the caller's stake in an owners' poll, for their view of it; nil when they hold
// no unit in it.
func pollStakeOf(db *gorm.DB, p *Poll, userID uint64) (*OwnerPollStake, error) {
	rows, err := ownerStakeRows(db, p, userID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	st := &OwnerPollStake{Units: make([]StakeUnit, 0, len(rows))}
	var area int64
	for _, r := range rows {
		st.Units = append(st.Units, StakeUnit{HouseholdID: r.HouseholdID, BuildingName: r.BuildingName, Room: r.Room,
			Area: tally.M2(r.AreaCenti)})
		area += r.AreaCenti
	}
	st.Area = tally.M2(area)
	return st, nil
}

// OwnerRoll is an owners' poll's published roll (表决名册): every exclusive unit of its scope by
// building, room and area — never its owner — with the base. Once the poll opened, a named
// poll shows which units took part online or on paper (an owner of several units votes for each
// of them), and each unit's vote when the counts are visible to the caller; a secret poll shows
// no one who took part while it is open, after the close only to its managers and the committee,
// and never how anyone voted. The server, not the roll, keeps an owner from being counted twice
// (poll_paper.go).
type OwnerRoll struct {
	PollID uint64        `json:"poll_id"`
	Status string        `json:"status"`
	Base   OwnerPollBase `json:"base"`
	// VotedVisible and ChoicesVisible say whether the items show voted and choice.
	VotedVisible   bool            `json:"voted_visible"`
	ChoicesVisible bool            `json:"choices_visible"`
	Items          []OwnerRollUnit `json:"items"`
	NextCursor     string          `json:"next_cursor"`
}

// OwnerRollUnit is one unit of the roll.
type OwnerRollUnit struct {
	HouseholdID  uint64  `json:"household_id"`
	BuildingID   uint64  `json:"building_id"`
	BuildingName string  `json:"building_name"`
	Room         string  `json:"room"`
	Area         float64 `json:"area"`
	// Mine: the caller votes for this unit.
	Mine bool `json:"mine"`
	// Voted: its owner took part online; null where it is not shown.
	Voted *bool `json:"voted"`
	// Paper: its owner's paper ballot was entered (poll_paper.go); null where it is not shown.
	Paper *bool `json:"paper"`
	// Choice: yes, no or abstain, online or on paper; null where it is not shown or the owner
	// did not vote.
	Choice *string `json:"choice"`
}

type rollRow struct {
	HouseholdID  uint64
	BuildingID   uint64
	BuildingName string
	Room         string
	AreaCenti    int64
	UserID       *uint64
	OwnerKey     *string
	VoterKey     *uint64
	Choice       *string
	PaperID      *uint64
	PaperOption  *uint64
}

// PollOwnerRoll returns an owners' poll's roll to members of its community (see OwnerRoll); a
// poll of another kind has none (404).
func (s *Store) PollOwnerRoll(ctx context.Context, a Actor, pollID uint64) (*OwnerRoll, error) {
	var out *OwnerRoll
	err := s.rdb(ctx).Transaction(func(db *gorm.DB) error {
		p, err := findPoll(db, pollID)
		if err != nil {
			return err
		}
		acc, err := access(db, a, p.CommunityID)
		if err != nil {
			return err
		}
		if p.Eligibility != EligibleOwners {
			return errNotFound
		}
		base, err := pollOwnerBase(db, p)
		if err != nil {
			return err
		}
		out = &OwnerRoll{PollID: p.ID, Status: p.Status, Base: *base, Items: []OwnerRollUnit{}}
		keys := map[uint64]string{}
		for _, o := range p.Options {
			keys[o.ID] = o.OptionKey
		}
		var rows []rollRow
		if base.FrozenAt == nil {
			_, sc, err := readOwnerScope(db, p.ID)
			if err != nil {
				return err
			}
			err = sc.households(db).Select("households.id AS household_id, households.building_id, buildings.name AS building_name, " +
				"households.room, households.area_centi, household_owners.owner_key").
				Joins("JOIN buildings ON buildings.id = households.building_id").
				Joins("LEFT JOIN household_owners ON household_owners.household_id = households.id").
				Order("households.building_id, households.room").Scan(&rows).Error
			if err != nil {
				return fmt.Errorf("read roll of poll %d: %w", p.ID, err)
			}
		} else {
			// While a secret poll is open no one sees who voted: with the turnout rising and the
			// result moving at the close, a unit's status would tell its choice; after the close
			// its managers and the committee see who took part (docs/ballot-secrecy.md). A
			// secret poll's ballots carry no voter; a named poll's choices show when the caller
			// may see the counts (after_vote: once they voted themselves).
			out.VotedVisible = p.Secrecy == SecrecyNamed || (p.Status == PollClosed && acc.Has(pollAuditors...))
			if p.Secrecy == SecrecyNamed {
				callerVoted, err := hasReceipt(db, p.ID, a.UserID)
				if err != nil {
					return err
				}
				out.ChoicesVisible = p.countsVisible(callerVoted)
			}
			sel := "poll_owner_units.household_id, households.building_id, buildings.name AS building_name, households.room, " +
				"poll_owner_units.area_centi, poll_owner_units.user_id"
			q := db.Table("poll_owner_units").
				Joins("JOIN households ON households.id = poll_owner_units.household_id").
				Joins("JOIN buildings ON buildings.id = households.building_id")
			if out.VotedVisible {
				sel += ", poll_receipts.voter_key"
				q = q.Joins("LEFT JOIN poll_receipts ON poll_receipts.poll_id = poll_owner_units.poll_id AND " +
					"poll_receipts.voter_key = poll_owner_units.user_id")
			}
			if out.VotedVisible {
				sel += ", pb.id AS paper_id"
				q = q.Joins("LEFT JOIN poll_paper_ballots pb ON pb.poll_id = poll_owner_units.poll_id AND pb.active_key = 0 AND " +
					"((poll_owner_units.owner_key <> '' AND pb.owner_key = poll_owner_units.owner_key) OR " +
					"(poll_owner_units.owner_key = '' AND pb.household_id = poll_owner_units.household_id))")
			}
			if out.ChoicesVisible {
				sel += ", pb.option_id AS paper_option, poll_named_ballots.choice"
				q = q.Joins("LEFT JOIN poll_named_ballots ON poll_named_ballots.poll_id = poll_owner_units.poll_id AND " +
					"poll_named_ballots.voter_key = poll_owner_units.user_id")
			}
			if err := q.Select(sel).Where("poll_owner_units.poll_id = ?", p.ID).
				Order("households.building_id, households.room").Scan(&rows).Error; err != nil {
				return fmt.Errorf("read roll of poll %d: %w", p.ID, err)
			}
		}
		mine := memberOwnerKey(a.UserID)
		for _, r := range rows {
			u := OwnerRollUnit{HouseholdID: r.HouseholdID, BuildingID: r.BuildingID, BuildingName: r.BuildingName, Room: r.Room,
				Area: tally.M2(r.AreaCenti), Mine: (r.UserID != nil && *r.UserID == a.UserID) || (r.OwnerKey != nil && *r.OwnerKey == mine)}
			if out.VotedVisible {
				v, paper := r.VoterKey != nil, r.PaperID != nil
				u.Voted, u.Paper = &v, &paper
			}
			if out.ChoicesVisible && r.PaperOption != nil {
				k := keys[*r.PaperOption]
				u.Choice = &k
			}
			if out.ChoicesVisible && r.Choice != nil {
				pts, err := decodePoints(*r.Choice)
				if err != nil {
					return err
				}
				for id, n := range pts {
					if k := keys[id]; n > 0 && k != "" {
						u.Choice = &k
					}
				}
			}
			out.Items = append(out.Items, u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parseAreas refuses areas on an offline count: only owners' paper ballots carry an area, and
// they are entered unit by unit (poll_paper.go), which takes it from the roll.
func parseAreas(in map[string]float64) error {
	if len(in) > 0 {
		return FieldError("areas", "areas_need_owners")
	}
	return nil
}

func decodeAreas(s *string) (map[uint64]int64, error) {
	if s == nil {
		return map[uint64]int64{}, nil
	}
	return decodeCounts(*s)
}

// keyedAreas shows areas in m² keyed by option id.
func keyedAreas(c map[uint64]int64) map[string]float64 {
	out := make(map[string]float64, len(c))
	for id, n := range c {
		out[strconv.FormatUint(id, 10)] = tally.M2(n)
	}
	return out
}

// editAreas shows an edit's areas after and before; nil where the edit has none.
func editAreas(e pollOfflineTallyEdit) (after, before map[string]float64, err error) {
	if e.Areas != nil {
		a, err := decodeAreas(e.Areas)
		if err != nil {
			return nil, nil, err
		}
		after = keyedAreas(a)
	}
	if e.PreviousAreas != nil {
		b, err := decodeAreas(e.PreviousAreas)
		if err != nil {
			return nil, nil, err
		}
		before = keyedAreas(b)
	}
	return after, before, nil
}

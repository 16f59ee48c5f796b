package models

import (
	"context"
	"fmt"
	"time"
)

// The public board (公示栏, docs/ledgers.md "The public board"): a community's published
// resolutions with their items, progress, deadlines, spending and satisfaction, for anyone with
// the link — a lobby screen, the owners' WeChat group. It shows what was published and nothing
// personal: no phone, no card or author, no ballot, no household; a person carrying an item is
// named as the wall names a speaker (王**), an organization by its name.

// boardStatuses are the statuses of a published resolution.
var boardStatuses = []string{ResolutionPublicity, ResolutionImplementing, ResolutionEvaluating, ResolutionAccepted}

// MaxBoardResolutions is how many resolutions the board shows, the most recently decided first.
const MaxBoardResolutions = 50

// Board is the public board of a community, or of one of its compounds.
type Board struct {
	Community   BoardPlace        `json:"community"`
	Compound    *BoardPlace       `json:"compound"`
	GeneratedAt time.Time         `json:"generated_at"`
	Resolutions []BoardResolution `json:"resolutions"`
	Totals      BoardTotals       `json:"totals"`
}

// BoardPlace names a community or a compound.
type BoardPlace struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

// BoardTotals sum up what the board lists.
type BoardTotals struct {
	Resolutions int   `json:"resolutions"`
	Items       int   `json:"items"`
	ItemsDone   int   `json:"items_done"`
	Overdue     int   `json:"overdue"`
	SpentFen    int64 `json:"spent_fen"`
}

// BoardResolution is a published resolution as the board shows it.
type BoardResolution struct {
	ID              uint64             `json:"id"`
	Title           string             `json:"title"`
	Text            string             `json:"text"`
	Status          string             `json:"status"`
	Month           string             `json:"month"`
	CompoundName    string             `json:"compound_name"`
	DecidedAt       *time.Time         `json:"decided_at"`
	PublicityEndsAt *time.Time         `json:"publicity_ends_at"`
	Progress        int                `json:"progress"`
	ItemCount       int                `json:"item_count"`
	OverdueItems    int                `json:"overdue_items"`
	BudgetFen       *int64             `json:"budget_fen"`
	FundingSource   string             `json:"funding_source"`
	SpentFen        int64              `json:"spent_fen"`
	Satisfaction    *BoardSatisfaction `json:"satisfaction"`
	Items           []BoardItem        `json:"items"`
}

// BoardSatisfaction is the current round of a resolution's survey, in figures.
type BoardSatisfaction struct {
	Round   int      `json:"round"`
	Answers int64    `json:"answers"`
	Rate    *float64 `json:"rate"`
}

// BoardItem is an action item as the board shows it.
type BoardItem struct {
	ID         uint64  `json:"id"`
	ParentID   *uint64 `json:"parent_id"`
	Title      string  `json:"title"`
	Status     string  `json:"status"`
	Progress   int     `json:"progress"`
	DueDate    string  `json:"due_date"`
	Overdue    bool    `json:"overdue"`
	Timeliness string  `json:"timeliness"`
	// Carrier: the organization's name, or the person's masked name.
	Carrier string `json:"carrier"`
}

// PublicBoard reads a community's board, or a compound's (compoundID not 0), without a login.
func (s *Store) PublicBoard(ctx context.Context, communityID, compoundID uint64) (*Board, error) {
	db := s.rdb(ctx)
	var c Community
	if err := db.Select("id", "name").Take(&c, communityID).Error; err != nil {
		return nil, notFound(err)
	}
	now := s.now()
	out := &Board{Community: BoardPlace{ID: c.ID, Name: c.Name}, GeneratedAt: now, Resolutions: []BoardResolution{}}
	if compoundID != 0 {
		var cp Compound
		if err := db.Select("id", "name").Where("community_id = ?", communityID).Take(&cp, compoundID).Error; err != nil {
			return nil, FieldError("compound_id", "compound_not_found")
		}
		out.Compound = &BoardPlace{ID: cp.ID, Name: cp.Name}
	}
	var rs []ledgerResolution
	q := db.Table("resolutions").
		Select("resolutions.*, cycles.month AS month, compounds.name AS compound_name").
		Joins("JOIN cycles ON cycles.id = resolutions.cycle_id").
		Joins("JOIN compounds ON compounds.id = cycles.compound_id").
		Where("resolutions.community_id = ? AND resolutions.status IN ?", communityID, boardStatuses)
	if compoundID != 0 {
		q = q.Where("cycles.compound_id = ?", compoundID)
	}
	if err := q.Order("resolutions.decided_at DESC, resolutions.id DESC").Limit(MaxBoardResolutions).Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("read board: %w", err)
	}
	if len(rs) == 0 {
		return out, nil
	}
	lr := &ledgerReader{db: db, cid: communityID, now: now}
	ids := resolutionIDs(rs)
	items, err := lr.itemsOf(ids)
	if err != nil {
		return nil, err
	}
	spent, err := lr.sums(db.Table("item_updates").
		Select("action_items.resolution_id AS k, COALESCE(SUM(item_updates.cost_fen), 0) AS total").
		Joins("JOIN action_items ON action_items.id = item_updates.item_id").
		Where("action_items.resolution_id IN ?", ids).Group("action_items.resolution_id"))
	if err != nil {
		return nil, err
	}
	survey, err := lr.surveyOf(ids)
	if err != nil {
		return nil, err
	}
	var userIDs, orgIDs []uint64
	for _, its := range items {
		for _, it := range its {
			if it.AssigneeUserID != nil {
				userIDs = append(userIDs, *it.AssigneeUserID)
			}
			if it.AssigneeOrgID != nil {
				orgIDs = append(orgIDs, *it.AssigneeOrgID)
			}
		}
	}
	names, err := userNames(db, uniqueIDs(userIDs))
	if err != nil {
		return nil, err
	}
	orgs, err := lr.orgNames(uniqueIDs(orgIDs))
	if err != nil {
		return nil, err
	}
	today := communityToday(now)
	for _, r := range rs {
		its := items[r.ID]
		tree := newItemTree(its)
		br := BoardResolution{ID: r.ID, Title: r.Title, Text: r.Text, Status: r.Status, Month: r.Month,
			CompoundName: r.CompoundName, DecidedAt: r.DecidedAt, PublicityEndsAt: r.PublicityEndsAt,
			Progress: tree.progressOf(nil), ItemCount: len(its), BudgetFen: r.BudgetFen, FundingSource: r.FundingSource,
			SpentFen: spent[r.ID].Total, Items: []BoardItem{}}
		if rows := survey[r.ID][r.EvaluationRound]; len(rows) > 0 {
			rt, n := rate(rows)
			br.Satisfaction = &BoardSatisfaction{Round: r.EvaluationRound, Answers: n, Rate: rt}
		}
		for i := range its {
			it := &its[i]
			bi := BoardItem{ID: it.ID, ParentID: it.ParentID, Title: it.Title, Status: it.Status,
				Progress: tree.progressOf(it), DueDate: it.DueDate, Overdue: it.isOverdue(today),
				Timeliness: timeliness(it, today)}
			switch {
			case it.AssigneeOrgID != nil:
				bi.Carrier = orgs[*it.AssigneeOrgID]
			case it.AssigneeUserID != nil:
				bi.Carrier = maskName(names[*it.AssigneeUserID])
			}
			if bi.Overdue {
				br.OverdueItems++
				out.Totals.Overdue++
			}
			if it.Status == ItemDone {
				out.Totals.ItemsDone++
			}
			br.Items = append(br.Items, bi)
		}
		out.Totals.Items += len(its)
		out.Totals.SpentFen += br.SpentFen
		out.Resolutions = append(out.Resolutions, br)
	}
	out.Totals.Resolutions = len(out.Resolutions)
	return out, nil
}

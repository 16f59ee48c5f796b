package models

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// The cycle's archive (一事一档, docs/ledgers.md "The cycle's archive"): the record of one month's
// cycle as one document — topics, cards, meetings, polls, resolutions with their items, updates,
// survey and sign-off — and the photos it refers to. It is read by those who may export the
// ledgers and honours what the API hides: no card names its author, no objection its author, no
// poll a voter, no survey a household, no phone anywhere.

// CycleRecord is a cycle's whole record.
type CycleRecord struct {
	Community       string             `json:"community"`
	Compound        string             `json:"compound"`
	CycleID         uint64             `json:"cycle_id"`
	Month           string             `json:"month"`
	Phase           string             `json:"phase"`
	Reason          string             `json:"reason"`
	SelectedTopic   string             `json:"selected_topic"`
	SelectionReason string             `json:"selection_reason"`
	GeneratedAt     time.Time          `json:"generated_at"`
	Topics          []RecordTopic      `json:"topics"`
	Cards           []RecordCard       `json:"cards"`
	Meetings        []RecordMeeting    `json:"meetings"`
	Polls           []RecordPoll       `json:"polls"`
	Resolutions     []RecordResolution `json:"resolutions"`
	Photos          []ArchivePhoto     `json:"photos"`
}

// RecordTopic is a topic of the cycle with its endorsements (附议).
type RecordTopic struct {
	Title        string `json:"title"`
	Source       string `json:"source"`
	Status       string `json:"status"`
	Endorsements int64  `json:"endorsements"`
}

// RecordCard is a visible card: its text, origin and photo; never its author.
type RecordCard struct {
	ID     uint64 `json:"id"`
	Body   string `json:"body"`
	Origin string `json:"origin"`
	Photo  string `json:"photo,omitempty"`
}

// RecordMeeting is a meeting with how many signed in and its summary.
type RecordMeeting struct {
	Title      string    `json:"title"`
	StartsAt   time.Time `json:"starts_at"`
	Location   string    `json:"location"`
	Status     string    `json:"status"`
	Attendance int64     `json:"attendance"`
	Summary    string    `json:"summary"`
}

// RecordPoll is a closed poll's result in totals.
type RecordPoll struct {
	Title    string         `json:"title"`
	Method   string         `json:"method"`
	Secrecy  string         `json:"secrecy"`
	ClosedAt *time.Time     `json:"closed_at"`
	Voters   int64          `json:"voters"`
	Eligible int64          `json:"eligible"`
	Passed   *bool          `json:"passed"`
	Options  []RecordOption `json:"options"`
}

// RecordOption is one option's total.
type RecordOption struct {
	Label string `json:"label"`
	Total int64  `json:"total"`
}

// RecordResolution is a resolution and what became of it.
type RecordResolution struct {
	Title           string            `json:"title"`
	Text            string            `json:"text"`
	Status          string            `json:"status"`
	DecidedAt       *time.Time        `json:"decided_at"`
	PublicityEndsAt *time.Time        `json:"publicity_ends_at"`
	BudgetFen       *int64            `json:"budget_fen"`
	FundingSource   string            `json:"funding_source"`
	SpentFen        int64             `json:"spent_fen"`
	Progress        int               `json:"progress"`
	Objections      []RecordObjection `json:"objections"`
	Items           []RecordItem      `json:"items"`
	Survey          []RecordSurvey    `json:"survey"`
	SignOffs        []RecordSignOff   `json:"sign_offs"`
}

// RecordObjection is an objection and its answer, without its author.
type RecordObjection struct {
	Text   string `json:"text"`
	Answer string `json:"answer"`
}

// RecordItem is an action item with its updates.
type RecordItem struct {
	Title      string         `json:"title"`
	Status     string         `json:"status"`
	Progress   int            `json:"progress"`
	DueDate    string         `json:"due_date"`
	Timeliness string         `json:"timeliness"`
	Carrier    string         `json:"carrier"`
	Updates    []RecordUpdate `json:"updates"`
	// Escalations beyond the community's remit (吹哨 / 12345) and their responses.
	Escalations []RecordEscalation `json:"escalations"`
}

// RecordEscalation is an item's escalation to a department and its response.
type RecordEscalation struct {
	Channel     string     `json:"channel"`
	Department  string     `json:"department"`
	TicketNo    string     `json:"ticket_no"`
	Reason      string     `json:"reason"`
	ResponseDue string     `json:"response_due"`
	Status      string     `json:"status"`
	Response    string     `json:"response"`
	RespondedAt *time.Time `json:"responded_at"`
}

// RecordUpdate is a progress report with its evidence.
type RecordUpdate struct {
	At      time.Time `json:"at"`
	Author  string    `json:"author"`
	Note    string    `json:"note"`
	CostFen int64     `json:"cost_fen"`
	Hours   float64   `json:"hours"`
	Photos  []string  `json:"photos"`
}

// RecordSurvey is one round of the survey, in figures.
type RecordSurvey struct {
	Round   int              `json:"round"`
	Answers int64            `json:"answers"`
	Levels  map[string]int64 `json:"levels"`
	Rate    *float64         `json:"rate"`
}

// RecordSignOff is a committee member's sign-off or refusal.
type RecordSignOff struct {
	Round    int       `json:"round"`
	Name     string    `json:"name"`
	Decision string    `json:"decision"`
	Remarks  string    `json:"remarks"`
	At       time.Time `json:"at"`
}

// ArchivePhoto is a photo of the record and its file name in the archive.
type ArchivePhoto struct {
	UploadID uint64 `json:"upload_id"`
	File     string `json:"file"`
	blobKey  string
}

// photoFile names a photo in the archive by its upload id and type.
func photoFile(u *Upload) string {
	ext := ".jpg"
	switch u.ContentType {
	case "image/png":
		ext = ".png"
	case "image/webp":
		ext = ".webp"
	}
	return fmt.Sprintf("photos/%d%s", u.ID, ext)
}

// CycleArchive reads a cycle's record for the community's admins and committee.
func (s *Store) CycleArchive(ctx context.Context, a Actor, cycleID uint64) (*CycleRecord, error) {
	db := s.rdb(ctx)
	var cy Cycle
	if err := db.Take(&cy, cycleID).Error; err != nil {
		return nil, notFound(err)
	}
	if _, err := s.readAccess(ctx, a, cy.CommunityID, ledgerReaders...); err != nil {
		return nil, err
	}
	rec := &CycleRecord{CycleID: cy.ID, Month: cy.Month, Phase: cy.Phase, Reason: cy.Reason,
		SelectionReason: cy.SelectionReason, GeneratedAt: s.now(), Topics: []RecordTopic{}, Cards: []RecordCard{},
		Meetings: []RecordMeeting{}, Polls: []RecordPoll{}, Resolutions: []RecordResolution{}, Photos: []ArchivePhoto{}}
	var names []string
	if err := db.Model(&Community{}).Where("id = ?", cy.CommunityID).Pluck("name", &names).Error; err == nil && len(names) == 1 {
		rec.Community = names[0]
	}
	names = nil
	if err := db.Model(&Compound{}).Where("id = ?", cy.CompoundID).Pluck("name", &names).Error; err == nil && len(names) == 1 {
		rec.Compound = names[0]
	}
	uploads := map[uint64]string{}
	photo := func(id uint64) (string, error) {
		if f, ok := uploads[id]; ok {
			return f, nil
		}
		var u Upload
		if err := db.Take(&u, id).Error; err != nil {
			return "", fmt.Errorf("read photo %d: %w", id, err)
		}
		f := photoFile(&u)
		uploads[id] = f
		rec.Photos = append(rec.Photos, ArchivePhoto{UploadID: u.ID, File: f, blobKey: u.BlobKey})
		return f, nil
	}

	var topics []struct {
		ID                    uint64
		Title, Source, Status string
		N                     int64
	}
	if err := db.Table("topics").Select("topics.id, topics.title, topics.source, topics.status, "+
		"(SELECT COUNT(*) FROM endorsements e WHERE e.topic_id = topics.id) AS n").
		Where("topics.cycle_id = ?", cy.ID).Order("topics.id").Scan(&topics).Error; err != nil {
		return nil, fmt.Errorf("read topics: %w", err)
	}
	for _, t := range topics {
		rec.Topics = append(rec.Topics, RecordTopic{Title: t.Title, Source: t.Source, Status: t.Status, Endorsements: t.N})
		if cy.SelectedTopicID != nil && *cy.SelectedTopicID == t.ID {
			rec.SelectedTopic = t.Title
		}
	}

	var cards []Card
	if err := db.Select("id", "body", "origin", "photo_id").Where("cycle_id = ? AND status = ?", cy.ID, CardVisible).
		Order("id").Find(&cards).Error; err != nil {
		return nil, fmt.Errorf("read cards: %w", err)
	}
	for _, c := range cards {
		rc := RecordCard{ID: c.ID, Body: c.Body, Origin: c.Origin}
		if c.PhotoID != nil {
			f, err := photo(*c.PhotoID)
			if err != nil {
				return nil, err
			}
			rc.Photo = f
		}
		rec.Cards = append(rec.Cards, rc)
	}

	var meetings []struct {
		Meeting
		N int64
	}
	if err := db.Table("meetings").Select("meetings.*, (SELECT COUNT(*) FROM attendances a WHERE a.meeting_id = meetings.id) AS n").
		Where("meetings.cycle_id = ?", cy.ID).Order("meetings.id").Scan(&meetings).Error; err != nil {
		return nil, fmt.Errorf("read meetings: %w", err)
	}
	for _, m := range meetings {
		rec.Meetings = append(rec.Meetings, RecordMeeting{Title: m.Title, StartsAt: m.StartsAt, Location: m.Location,
			Status: m.Status, Attendance: m.N, Summary: m.Summary})
	}

	var polls []Poll
	if err := db.Where("cycle_id = ? AND status = ? AND result IS NOT NULL", cy.ID, PollClosed).Order("id").
		Find(&polls).Error; err != nil {
		return nil, fmt.Errorf("read polls: %w", err)
	}
	for _, p := range polls {
		var sr storedResult
		if err := json.Unmarshal([]byte(*p.Result), &sr); err != nil {
			return nil, fmt.Errorf("decode result of poll %d: %w", p.ID, err)
		}
		rp := RecordPoll{Title: p.Title, Method: p.Method, Secrecy: p.Secrecy, ClosedAt: p.ClosedAt,
			Voters: sr.Result.Voters, Eligible: sr.Result.Eligible, Passed: sr.Result.Passed, Options: []RecordOption{}}
		for _, o := range sr.Result.Options {
			rp.Options = append(rp.Options, RecordOption{Label: o.Label, Total: o.Total})
		}
		rec.Polls = append(rec.Polls, rp)
	}

	var rs []ledgerResolution
	if err := db.Table("resolutions").Select("resolutions.*").Where("cycle_id = ?", cy.ID).Order("id").
		Scan(&rs).Error; err != nil {
		return nil, fmt.Errorf("read resolutions: %w", err)
	}
	if len(rs) == 0 {
		return rec, nil
	}
	lr := &ledgerReader{db: db, cid: cy.CommunityID, now: s.now()}
	ids := resolutionIDs(rs)
	items, err := lr.itemsOf(ids)
	if err != nil {
		return nil, err
	}
	survey, err := lr.surveyOf(ids)
	if err != nil {
		return nil, err
	}
	today := communityToday(rec.GeneratedAt)
	for _, r := range rs {
		rr := RecordResolution{Title: r.Title, Text: r.Text, Status: r.Status, DecidedAt: r.DecidedAt,
			PublicityEndsAt: r.PublicityEndsAt, BudgetFen: r.BudgetFen, FundingSource: r.FundingSource,
			Objections: []RecordObjection{}, Items: []RecordItem{}, Survey: []RecordSurvey{}, SignOffs: []RecordSignOff{}}
		var objs []Objection
		if err := db.Where("resolution_id = ?", r.ID).Order("id").Find(&objs).Error; err != nil {
			return nil, fmt.Errorf("read objections: %w", err)
		}
		for _, o := range objs {
			rr.Objections = append(rr.Objections, RecordObjection{Text: o.Text, Answer: o.Answer})
		}
		its := items[r.ID]
		tree := newItemTree(its)
		rr.Progress = tree.progressOf(nil)
		var userIDs, orgIDs []uint64
		for _, it := range its {
			if it.AssigneeUserID != nil {
				userIDs = append(userIDs, *it.AssigneeUserID)
			}
			if it.AssigneeOrgID != nil {
				orgIDs = append(orgIDs, *it.AssigneeOrgID)
			}
		}
		var updates []ItemUpdate
		if len(its) > 0 {
			itemIDs := make([]uint64, len(its))
			for i := range its {
				itemIDs[i] = its[i].ID
			}
			if err := db.Where("item_id IN ?", itemIDs).Order("id").Find(&updates).Error; err != nil {
				return nil, fmt.Errorf("read updates: %w", err)
			}
		}
		for _, u := range updates {
			userIDs = append(userIDs, u.AuthorID)
		}
		people, err := userNames(db, uniqueIDs(userIDs))
		if err != nil {
			return nil, err
		}
		orgs, err := lr.orgNames(uniqueIDs(orgIDs))
		if err != nil {
			return nil, err
		}
		escalations := map[uint64][]RecordEscalation{}
		var escs []Escalation
		if err := db.Where("resolution_id = ?", r.ID).Order("id").Find(&escs).Error; err != nil {
			return nil, fmt.Errorf("read escalations: %w", err)
		}
		for _, e := range escs {
			escalations[e.ItemID] = append(escalations[e.ItemID], RecordEscalation{Channel: e.Channel, Department: e.Department,
				TicketNo: e.TicketNo, Reason: e.Reason, ResponseDue: e.ResponseDue, Status: e.Status, Response: e.Response,
				RespondedAt: e.RespondedAt})
		}
		byItem := map[uint64][]RecordUpdate{}
		for _, u := range updates {
			var pids []uint64
			if err := db.Model(&itemUpdatePhoto{}).Where("update_id = ?", u.ID).Order("position").
				Pluck("upload_id", &pids).Error; err != nil {
				return nil, fmt.Errorf("read update photos: %w", err)
			}
			ru := RecordUpdate{At: u.CreatedAt, Author: people[u.AuthorID], Note: u.Note, CostFen: u.CostFen,
				Hours: float64(u.HoursCenti) / 100, Photos: []string{}}
			for _, pid := range pids {
				f, err := photo(pid)
				if err != nil {
					return nil, err
				}
				ru.Photos = append(ru.Photos, f)
			}
			rr.SpentFen += u.CostFen
			byItem[u.ItemID] = append(byItem[u.ItemID], ru)
		}
		for i := range its {
			it := &its[i]
			ri := RecordItem{Title: it.Title, Status: it.Status, Progress: tree.progressOf(it), DueDate: it.DueDate,
				Timeliness: timeliness(it, today), Updates: byItem[it.ID], Escalations: escalations[it.ID]}
			if ri.Escalations == nil {
				ri.Escalations = []RecordEscalation{}
			}
			if ri.Updates == nil {
				ri.Updates = []RecordUpdate{}
			}
			switch {
			case it.AssigneeOrgID != nil:
				ri.Carrier = orgs[*it.AssigneeOrgID]
				if it.AssigneeUserID != nil {
					ri.Carrier += " / " + people[*it.AssigneeUserID]
				}
			case it.AssigneeUserID != nil:
				ri.Carrier = people[*it.AssigneeUserID]
			}
			rr.Items = append(rr.Items, ri)
		}
		for round := 1; round <= max(r.EvaluationRound, 1); round++ {
			rows := survey[r.ID][round]
			if len(rows) == 0 {
				continue
			}
			rs := RecordSurvey{Round: round, Levels: map[string]int64{}}
			rs.Rate, rs.Answers = rate(rows)
			for _, x := range rows {
				rs.Levels[x.Level] += x.N
			}
			rr.Survey = append(rr.Survey, rs)
		}
		var acc []Acceptance
		if err := db.Select("resolution_acceptances.*, users.name AS user_name").
			Joins("LEFT JOIN users ON users.id = resolution_acceptances.user_id").
			Where("resolution_id = ?", r.ID).Order("resolution_acceptances.id").Find(&acc).Error; err != nil {
			return nil, fmt.Errorf("read sign-offs: %w", err)
		}
		for _, x := range acc {
			rr.SignOffs = append(rr.SignOffs, RecordSignOff{Round: x.Round, Name: x.UserName, Decision: x.Decision,
				Remarks: x.Remarks, At: x.CreatedAt})
		}
		rec.Resolutions = append(rec.Resolutions, rr)
	}
	return rec, nil
}

// OpenArchivePhoto opens a photo of a record that CycleArchive returned.
func (s *Store) OpenArchivePhoto(ctx context.Context, p ArchivePhoto) (io.ReadCloser, error) {
	if s.Files == nil {
		return nil, errNotFound
	}
	rc, err := s.Files.Open(ctx, p.blobKey)
	if err != nil {
		return nil, fmt.Errorf("open photo %d: %w", p.UploadID, err)
	}
	return rc, nil
}

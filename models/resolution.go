package models

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/models/tally"
)

// Resolution statuses (docs/domain.md "After the resolution"). An adopted resolution is
// published (publicity), carried out (implementing), evaluated by the affected households
// (evaluating) and signed off by the committee (accepted); a refused sign-off or a reopening
// sends it back to implementing.
const (
	ResolutionDraft        = "draft"
	ResolutionAdopted      = "adopted"
	ResolutionRejected     = "rejected"
	ResolutionPublicity    = "publicity"
	ResolutionImplementing = "implementing"
	ResolutionEvaluating   = "evaluating"
	ResolutionAccepted     = "accepted"
)

// Resolution categories. What a round table votes is consultation (协商, docs/domain.md "What a round table may decide"): an
// ordinary resolution is a consultation result and its vote decides it. A matter Civil Code
// art. 278 reserves to the owners is decided by the owners: its category is the 278 rule that
// decides it, and it stays a draft until the owners' decision passes.
const (
	CategoryOrdinary    = "ordinary"
	Category278Ordinary = tally.CivilCode278Ordinary
	Category278Major    = tally.CivilCode278Major
)

// ResolutionCategories lists the categories in the order the API documents them.
var ResolutionCategories = []string{CategoryOrdinary, Category278Ordinary, Category278Major}

// The matters of Civil Code art. 278 (docs/domain.md "Owners' decisions: Civil Code article 278"), each with the rule that decides it: raising
// the maintenance fund, rebuilding and changing the use of common parts need three quarters
// (items 6–8); an elevator retrofit is voted with the same thresholds; the others more than half.
const (
	MatterRulesOfProcedure   = "rules_of_procedure"     // 1 议事规则
	MatterCovenant           = "management_covenant"    // 2 管理规约
	MatterOwnersCommittee    = "owners_committee"       // 3 选举业委会或者更换业委会成员
	MatterPropertyService    = "property_service"       // 4 选聘和解聘物业服务企业
	MatterFundUse            = "maintenance_fund_use"   // 5 使用维修资金
	MatterFundRaise          = "maintenance_fund_raise" // 6 筹集维修资金
	MatterRebuilding         = "rebuilding"             // 7 改建、重建建筑物及其附属设施
	MatterCommonPartsUse     = "common_parts_use"       // 8 改变共有部分的用途或者利用共有部分从事经营活动
	MatterElevatorRetrofit   = "elevator_retrofit"      // 加装电梯 (treated as 7/8)
	MatterOtherCommonAffairs = "other_major_matter"     // 9 有关共有和共同管理权利的其他重大事项
)

// Matters278 lists the matters in the order the API documents them.
var Matters278 = []string{MatterRulesOfProcedure, MatterCovenant, MatterOwnersCommittee, MatterPropertyService,
	MatterFundUse, MatterFundRaise, MatterRebuilding, MatterCommonPartsUse, MatterElevatorRetrofit,
	MatterOtherCommonAffairs}

// MatterCategory is the category (the 278 rule) each matter is decided under.
var MatterCategory = map[string]string{
	MatterRulesOfProcedure: Category278Ordinary, MatterCovenant: Category278Ordinary,
	MatterOwnersCommittee: Category278Ordinary, MatterPropertyService: Category278Ordinary,
	MatterFundUse: Category278Ordinary, MatterOtherCommonAffairs: Category278Ordinary,
	MatterFundRaise: Category278Major, MatterRebuilding: Category278Major, MatterCommonPartsUse: Category278Major,
	MatterElevatorRetrofit: Category278Major,
}

// Limits of a resolution.
const (
	MaxResolutionTitleRunes = 100
	MaxResolutionTextRunes  = 5000
	MaxResolutionCards      = 200
	MaxResolutionClusters   = 50
)

// resolutionManagers draft resolutions and record owners' decisions.
var resolutionManagers = []string{RoleFacilitator, RoleAdmin}

// Resolution 决议 is what a round table resolved: drafted by the facilitator from a closed formal
// vote of the cycle, adopted or rejected as that vote came out — or, for a Civil Code art. 278
// matter, as the owners' decision comes out — and signed by the meeting's attendees.
type Resolution struct {
	ID          uint64     `gorm:"primaryKey" json:"id"`
	CommunityID uint64     `json:"community_id"`
	CycleID     uint64     `json:"cycle_id"`
	MeetingID   uint64     `json:"meeting_id"`
	PollID      uint64     `json:"poll_id"`
	Title       string     `json:"title"`
	Text        string     `json:"text"`
	Category    string     `json:"category"`
	Matter      string     `json:"matter"`
	Status      string     `json:"status"`
	PollPassed  bool       `json:"poll_passed"`
	DraftedBy   uint64     `json:"drafted_by"`
	DecidedAt   *time.Time `json:"decided_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// Follow-through (docs/follow-through.md): the end of the publicity period, the budget in
	// fen (分) and its funding source.
	PublicityEndsAt *time.Time `json:"publicity_ends_at"`
	BudgetFen       *int64     `json:"budget_fen"`
	FundingSource   string     `json:"funding_source"`
	// MinorityOpinion is what the outvoted side asked to have recorded (docs/paper.md "The
	// minority's view"); empty when none.
	MinorityOpinion string `json:"minority_opinion"`
	// Filled for responses.
	PollTitle string `gorm:"-" json:"poll_title"`
	// OwnersDecisionRequired: a 278 matter, which the owners decide.
	OwnersDecisionRequired bool            `gorm:"-" json:"owners_decision_required"`
	OwnersDecision         *OwnersDecision `gorm:"-" json:"owners_decision"`
	ClusterIDs             []uint64        `gorm:"-" json:"cluster_ids"`
	CardIDs                []uint64        `gorm:"-" json:"card_ids"`
	SignatureCount         int64           `gorm:"-" json:"signature_count"`
	SignedByMe             bool            `gorm:"-" json:"signed_by_me"`
	CanSign                bool            `gorm:"-" json:"can_sign"`
	NamesVisible           bool            `gorm:"-" json:"names_visible"`
	Signatures             []Signature     `gorm:"-" json:"signatures"`
	// The follow-through (docs/follow-through.md): objections with their answers, the weighted
	// progress of the items (0–100), how many items there are and how many are overdue, and the
	// costs recorded in the items' updates, in fen.
	Objections   []Objection `gorm:"-" json:"objections"`
	Progress     int         `gorm:"-" json:"progress"`
	ItemCount    int         `gorm:"-" json:"item_count"`
	OverdueItems int         `gorm:"-" json:"overdue_items"`
	SpentFen     int64       `gorm:"-" json:"spent_fen"`
}

// TableName pins the table.
func (Resolution) TableName() string { return "resolutions" }

type resolutionCard struct {
	ResolutionID uint64 `gorm:"primaryKey;autoIncrement:false"`
	CardID       uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (resolutionCard) TableName() string { return "resolution_cards" }

type resolutionCluster struct {
	ResolutionID uint64 `gorm:"primaryKey;autoIncrement:false"`
	ClusterID    uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (resolutionCluster) TableName() string { return "resolution_clusters" }

// nature names what decides a resolution, for the records: the round table's consultation, or
// the owners.
func (r *Resolution) nature() string {
	if tally.Is278(r.Category) {
		return "owners_decision"
	}
	return "consultation"
}

// cardRefs is the payload of a card's resolution events: the references every resolution event
// carries (so that the meeting's stream and the audit trail find it) and the title.
func (r *Resolution) cardRefs() CardResolutionPayload {
	return CardResolutionPayload{ResolutionID: r.ID, CycleID: r.CycleID, MeetingID: r.MeetingID, PollID: r.PollID,
		Title: r.Title}
}

// pollOutcome is what a resolution needs to know of a poll.
type pollOutcome struct {
	ID, CommunityID, CycleID                         uint64
	MeetingID                                        *uint64
	Title, Method, Rule, Eligibility, Weight, Status string
	Passed                                           *bool
	Decision                                         *tally.Decision
	// AreaByKey is the total area (m²) behind each approval option of an owners' poll.
	AreaByKey map[string]float64
	// BelowMeetingQuorum: fewer were signed in at the meeting when the vote closed than its
	// quorum, so the vote cannot found a resolution.
	BelowMeetingQuorum bool
}

// formalVote: an approval vote on a motion, with a pass rule, taken at a meeting by others than
// the owners — the round table's consultation vote.
func (p *pollOutcome) formalVote() bool {
	return p.Method == tally.Approval && p.Rule != "" && !tally.Is278(p.Rule) && p.MeetingID != nil &&
		p.Eligibility != EligibleOwners
}

// ownersVote: a vote of the owners by unit and area under a 278 rule.
func (p *pollOutcome) ownersVote() bool {
	return p.Method == tally.Approval && p.Eligibility == EligibleOwners && p.Weight == WeightOwnerArea && tally.Is278(p.Rule)
}

// readPollOutcome is the one place resolutions read the poll engine's storage: the poll's row
// and, once it is closed, whether it passed and the figures it was decided on, from the result
// stored with its poll.closed event.
func readPollOutcome(db *gorm.DB, id uint64) (*pollOutcome, error) {
	var p Poll
	if err := db.Take(&p, id).Error; err != nil {
		return nil, notFound(err)
	}
	var err error
	out := &pollOutcome{ID: p.ID, CommunityID: p.CommunityID, CycleID: p.CycleID, MeetingID: p.MeetingID, Title: p.Title,
		Method: p.Method, Rule: p.Rule, Eligibility: p.Eligibility, Weight: p.Weight, Status: p.Status}
	if p.Status == PollClosed && p.Result != nil {
		var sr storedResult
		if err = json.Unmarshal([]byte(*p.Result), &sr); err != nil {
			return nil, fmt.Errorf("decode result of poll %d: %w", p.ID, err)
		}
		out.Passed, out.Decision = sr.Result.Passed, sr.Result.Decision
		if out.BelowMeetingQuorum, err = belowMeetingQuorum(db, &p, &sr); err != nil {
			return nil, err
		}
		out.AreaByKey = map[string]float64{}
		for _, o := range sr.Result.Options {
			if o.TotalArea != nil {
				out.AreaByKey[o.Key] = *o.TotalArea
			}
		}
	}
	if p.Status == PollClosed && out.Passed == nil && p.Method == tally.Approval && p.Rule != "" {
		return nil, fmt.Errorf("closed poll %d has no stored decision", p.ID)
	}
	return out, nil
}

// belowMeetingQuorum says whether a closed motion of a meeting was voted below the meeting's
// quorum, by the attendance recorded with its result at the close. A result stored before the
// meeting's quorum was part of it is judged by the same recorded attendance against the
// meeting's quorum.
func belowMeetingQuorum(db *gorm.DB, p *Poll, sr *storedResult) (bool, error) {
	if p.MeetingID == nil || p.Method != tally.Approval || p.Rule == "" {
		return false, nil
	}
	if sr.Result.QuorumReason == tally.QuorumMeeting {
		return true, nil
	}
	var q []int64
	if err := db.Model(&Meeting{}).Where("id = ?", *p.MeetingID).Pluck("quorum", &q).Error; err != nil {
		return false, fmt.Errorf("read quorum of poll %d's meeting: %w", p.ID, err)
	}
	return len(q) == 1 && q[0] > 0 && sr.Input.Attendees < q[0], nil
}

// ResolutionInput drafts a resolution from a closed formal vote. Category defaults to the
// matter's, or to ordinary without a matter.
type ResolutionInput struct {
	PollID     uint64
	Title      string
	Text       string
	Category   string
	Matter     string
	ClusterIDs []uint64
	CardIDs    []uint64
}

// check validates what needs no database.
func (in *ResolutionInput) check() (*Resolution, error) {
	r := &Resolution{PollID: in.PollID, Title: strings.TrimSpace(in.Title), Text: strings.TrimSpace(in.Text),
		Category: in.Category, Matter: in.Matter, Status: ResolutionDraft}
	if r.Category == "" {
		r.Category = CategoryOrdinary
		if c, ok := MatterCategory[r.Matter]; ok {
			r.Category = c
		}
	}
	switch {
	case r.Title == "":
		return nil, FieldError("title", "required")
	case utf8.RuneCountInString(r.Title) > MaxResolutionTitleRunes:
		return nil, FieldError("title", "resolution_title_too_long")
	case r.Text == "":
		return nil, FieldError("text", "required")
	case utf8.RuneCountInString(r.Text) > MaxResolutionTextRunes:
		return nil, FieldError("text", "resolution_text_too_long")
	case !slices.Contains(ResolutionCategories, r.Category):
		return nil, FieldError("category", "unknown_resolution_category")
	case r.Matter != "" && MatterCategory[r.Matter] == "":
		return nil, FieldError("matter", "unknown_matter_278")
	case tally.Is278(r.Category) && r.Matter == "":
		return nil, FieldError("matter", "matter_278_required")
	case r.Matter != "" && MatterCategory[r.Matter] != r.Category:
		return nil, FieldError("matter", "matter_category_mismatch")
	case len(in.CardIDs) > MaxResolutionCards:
		return nil, FieldError("card_ids", "too_many_resolution_cards")
	case len(in.ClusterIDs) > MaxResolutionClusters:
		return nil, FieldError("cluster_ids", "too_many_resolution_clusters")
	}
	return r, nil
}

// checkLinks confirms that the groups are on the vote's meeting wall and the cards visible cards
// of the cycle, naming the first that is not.
func checkLinks(tx *Tx, meetingID, cycleID uint64, in *ResolutionInput) error {
	if len(in.ClusterIDs) > 0 {
		var ok []uint64
		if err := tx.Model(&Cluster{}).Where("id IN ? AND meeting_id = ? AND dissolved_at IS NULL", in.ClusterIDs, meetingID).
			Pluck("id", &ok).Error; err != nil {
			return fmt.Errorf("check groups: %w", err)
		}
		for i, id := range in.ClusterIDs {
			if !slices.Contains(ok, id) {
				return fieldErr(fmt.Sprintf("cluster_ids[%d]", i), "cluster_not_in_meeting")
			}
		}
	}
	if len(in.CardIDs) > 0 {
		var ok []uint64
		if err := tx.Model(&Card{}).Where("id IN ? AND cycle_id = ? AND status = ?", in.CardIDs, cycleID, CardVisible).
			Pluck("id", &ok).Error; err != nil {
			return fmt.Errorf("check cards: %w", err)
		}
		for i, id := range in.CardIDs {
			if !slices.Contains(ok, id) {
				return fieldErr(fmt.Sprintf("card_ids[%d]", i), "card_not_in_cycle")
			}
		}
	}
	return nil
}

// resolutionCardSet lists the cards a resolution stands on: those linked to it and those in its
// linked groups now, in id order.
func resolutionCardSet(db *gorm.DB, id uint64) ([]uint64, error) {
	var direct, grouped []uint64
	if err := db.Model(&resolutionCard{}).Where("resolution_id = ?", id).Pluck("card_id", &direct).Error; err != nil {
		return nil, fmt.Errorf("read cards of resolution %d: %w", id, err)
	}
	if err := db.Table("cluster_cards").Joins("JOIN resolution_clusters ON resolution_clusters.cluster_id = cluster_cards.cluster_id").
		Where("resolution_clusters.resolution_id = ?", id).Pluck("cluster_cards.card_id", &grouped).Error; err != nil {
		return nil, fmt.Errorf("read grouped cards of resolution %d: %w", id, err)
	}
	all := uniqueIDs(append(direct, grouped...))
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return all, nil
}

// cardResolutionEvents tells the timeline of every card the resolution stands on what became of
// it. The payload carries ids and the resolution's title only, so an anonymous card stays
// unlinked to its author.
func cardResolutionEvents(tx *Tx, a Actor, r *Resolution, typ EventType) error {
	cards, err := resolutionCardSet(tx.DB, r.ID)
	if err != nil {
		return err
	}
	for _, c := range cards {
		payload := r.cardRefs()
		if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: typ, SubjectType: "card", SubjectID: c,
			Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
			return err
		}
	}
	return nil
}

// decideResolution moves a draft to adopted or rejected, with its event (why, in extra) and the
// cards' timeline entries, inside tx.
func decideResolution(tx *Tx, a Actor, r *Resolution, adopted bool, payload ResolutionDecidedPayload) error {
	status, typ, cardTyp := ResolutionRejected, EvResolutionRejected, EvCardResolutionRejected
	if adopted {
		status, typ, cardTyp = ResolutionAdopted, EvResolutionAdopted, EvCardResolutionAdopted
	}
	now := tx.Now()
	res := tx.Model(&Resolution{}).Where("id = ? AND status = ?", r.ID, ResolutionDraft).
		Updates(map[string]any{"status": status, "decided_at": now, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("decide resolution %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return Errorf(ECONFLICT, "resolution_decided")
	}
	r.Status, r.DecidedAt, r.UpdatedAt = status, &now, now
	payload.ResolutionID, payload.CycleID, payload.MeetingID, payload.PollID = r.ID, r.CycleID, r.MeetingID, r.PollID
	payload.Title, payload.Category, payload.Nature = r.Title, r.Category, r.nature()
	if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: typ, SubjectType: "resolution",
		SubjectID: r.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
		return err
	}
	if err := cardResolutionEvents(tx, a, r, cardTyp); err != nil {
		return err
	}
	return notifyResolutionCards(tx, a, r, NoteCardResolution, fmt.Sprintf("resolution:%d:%s", r.ID, status),
		map[string]any{"status": status})
}

// DraftResolution drafts a resolution from a closed formal vote of the cycle (an approval poll
// with a pass rule, taken at one of its meetings); facilitators and admins, while the cycle holds
// the round table or forms its resolutions. One resolution a vote. It stays a draft: the
// facilitator adopts an ordinary one after reading it on the wall (AdoptResolution) or records
// it rejected when its vote failed (RejectResolution); a Civil Code 278 matter stays a draft
// until the owners decide.
func (s *Store) DraftResolution(ctx context.Context, a Actor, cycleID uint64, in ResolutionInput) (*Resolution, error) {
	var id uint64
	err := s.tx(ctx, func(tx *Tx) error {
		cy, err := tx.lockCycle(cycleID)
		if err != nil {
			return err
		}
		if _, err := tx.writeAccess(a, cy.CommunityID, resolutionManagers...); err != nil {
			return err
		}
		r, err := in.check()
		if err != nil {
			return err
		}
		if err := cy.allow(StepResolve); err != nil {
			return err
		}
		po, err := readPollOutcome(tx.DB, in.PollID)
		switch {
		case err != nil:
			return err
		case po.CommunityID != cy.CommunityID:
			return errNotFound
		case po.CycleID != cy.ID:
			return FieldError("poll_id", "poll_not_in_cycle")
		case !po.formalVote():
			return FieldError("poll_id", "poll_not_formal_vote")
		case po.Status != PollClosed:
			return Errorf(ECONFLICT, "poll_not_closed")
		case po.BelowMeetingQuorum:
			return Errorf(ECONFLICT, "poll_not_quorate")
		}
		links := ResolutionInput{ClusterIDs: uniqueIDs(in.ClusterIDs), CardIDs: uniqueIDs(in.CardIDs)}
		if err := checkLinks(tx, *po.MeetingID, cy.ID, &in); err != nil {
			return err
		}
		now := tx.Now()
		r.CommunityID, r.CycleID, r.MeetingID, r.PollPassed = cy.CommunityID, cy.ID, *po.MeetingID, *po.Passed
		r.DraftedBy, r.CreatedAt, r.UpdatedAt = a.UserID, now, now
		if err := tx.Create(r).Error; err != nil {
			if isDuplicate(err) {
				return Errorf(ECONFLICT, "resolution_exists")
			}
			return fmt.Errorf("create resolution: %w", err)
		}
		id = r.ID
		for _, c := range links.ClusterIDs {
			if err := tx.Create(&resolutionCluster{ResolutionID: r.ID, ClusterID: c}).Error; err != nil {
				return fmt.Errorf("link group %d: %w", c, err)
			}
		}
		for _, c := range links.CardIDs {
			if err := tx.Create(&resolutionCard{ResolutionID: r.ID, CardID: c}).Error; err != nil {
				return fmt.Errorf("link card %d: %w", c, err)
			}
		}
		payload := ResolutionDraftedPayload{ResolutionID: r.ID, CycleID: r.CycleID, MeetingID: r.MeetingID,
			PollID: r.PollID, Title: r.Title, Category: r.Category, Matter: r.Matter, Nature: r.nature(),
			PollPassed: r.PollPassed, ClusterIDs: links.ClusterIDs, CardIDs: links.CardIDs}
		if _, err := tx.AppendEvent(EventInput{CommunityID: r.CommunityID, Type: EvResolutionDrafted, SubjectType: "resolution",
			SubjectID: r.ID, Actor: a.ref(), Visibility: VisMembers, Payload: payload}); err != nil {
			return err
		}
		if err := cardResolutionEvents(tx, a, r, EvCardResolved); err != nil {
			return err
		}
		// Every resolution starts a draft, which the facilitator reads out on the wall and then
		// adopts or records as rejected (docs/paper.md "Draft, then adopt"); a 278 matter waits
		// for the owners. The cards' authors hear that it was drafted.
		return notifyResolutionCards(tx, a, r, NoteCardResolution, fmt.Sprintf("resolution:%d:%s", r.ID, ResolutionDraft),
			map[string]any{"status": ResolutionDraft})
	})
	if err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.write.WithContext(ctx), a, id)
}

// GetResolution returns a resolution with its links, owners' decision and signatures to members
// of its community.
func (s *Store) GetResolution(ctx context.Context, a Actor, id uint64) (*Resolution, error) {
	if err := s.settleIfDue(ctx, id); err != nil {
		return nil, err
	}
	return s.resolutionView(ctx, s.rdb(ctx), a, id)
}

// ListCycleResolutions lists a cycle's resolutions in the order they were drafted, to members.
func (s *Store) ListCycleResolutions(ctx context.Context, a Actor, cycleID uint64) ([]Resolution, error) {
	db := s.rdb(ctx)
	var c Cycle
	if err := db.Select("id", "community_id").Take(&c, cycleID).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := access(db, a, c.CommunityID)
	if err != nil {
		return nil, err
	}
	var out []Resolution
	if err := db.Where("cycle_id = ?", cycleID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list resolutions: %w", err)
	}
	for i := range out {
		if out[i].Status == ResolutionPublicity && out[i].PublicityEndsAt != nil && !s.now().Before(*out[i].PublicityEndsAt) {
			if err := s.settleIfDue(ctx, out[i].ID); err != nil {
				return nil, err
			}
			if err := db.Take(&out[i], out[i].ID).Error; err != nil {
				return nil, fmt.Errorf("read resolution %d: %w", out[i].ID, err)
			}
		}
		if err := out[i].fill(db, a, acc); err != nil {
			return nil, err
		}
		if err := out[i].fillFollowThrough(db, a, acc, s.now()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) resolutionView(ctx context.Context, db *gorm.DB, a Actor, id uint64) (*Resolution, error) {
	var r Resolution
	if err := db.Take(&r, id).Error; err != nil {
		return nil, notFound(err)
	}
	acc, err := access(db, a, r.CommunityID)
	if err != nil {
		return nil, err
	}
	if err := r.fill(db, a, acc); err != nil {
		return nil, err
	}
	return &r, r.fillFollowThrough(db, a, acc, s.now())
}

// fill adds what a response shows: the vote's title, the links, the owners' decision and the
// signatures as the viewer may see them.
func (r *Resolution) fill(db *gorm.DB, a Actor, acc *Access) error {
	r.OwnersDecisionRequired = tally.Is278(r.Category)
	var titles []string
	if err := db.Model(&Poll{}).Where("id = ?", r.PollID).Pluck("title", &titles).Error; err != nil {
		return fmt.Errorf("read vote of resolution %d: %w", r.ID, err)
	}
	if len(titles) == 1 {
		r.PollTitle = titles[0]
	}
	r.ClusterIDs, r.CardIDs = []uint64{}, []uint64{}
	if err := db.Model(&resolutionCluster{}).Where("resolution_id = ?", r.ID).Order("cluster_id").
		Pluck("cluster_id", &r.ClusterIDs).Error; err != nil {
		return fmt.Errorf("read groups of resolution %d: %w", r.ID, err)
	}
	if err := db.Model(&resolutionCard{}).Where("resolution_id = ?", r.ID).Order("card_id").
		Pluck("card_id", &r.CardIDs).Error; err != nil {
		return fmt.Errorf("read cards of resolution %d: %w", r.ID, err)
	}
	var err error
	if r.OwnersDecision, err = readOwnersDecision(db, r.ID); err != nil {
		return err
	}
	return r.fillSignatures(db, a, acc)
}

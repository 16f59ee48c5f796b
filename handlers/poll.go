package handlers

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// pollRoutes are the poll engine (docs/domain.md "Voting", §6): polls on a cycle (topic
// selection) or a meeting (dot votes, formal votes), ballots, offline counts and results.
func (a *App) pollRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/meetings/:id/polls", a.listMeetingPolls, auth)
	g.POST("/meetings/:id/polls", a.createMeetingPoll, auth)
	g.GET("/cycles/:id/polls", a.listCyclePolls, auth)
	g.POST("/cycles/:id/polls", a.createCyclePoll, auth)
	g.GET("/polls/:id", a.getPoll, auth)
	g.POST("/polls/:id/open", a.openPoll, auth)
	g.POST("/polls/:id/close", a.closePoll, auth)
	g.POST("/polls/:id/ballots", a.castBallot, auth)
	g.GET("/polls/:id/my-ballot", a.myBallot, auth)
	g.GET("/polls/:id/results", a.pollResults, auth)
	g.GET("/polls/:id/owner-roll", a.pollOwnerRoll, auth)
	g.GET("/polls/:id/offline-tallies", a.offlineTallies, auth)
	g.PUT("/polls/:id/offline-tallies", a.setOfflineTally, auth)
}

type pollOptionRequest struct {
	Label     string  `json:"label" validate:"max=100"`
	ClusterID *uint64 `json:"cluster_id" validate:"omitnil,id"`
	CardID    *uint64 `json:"card_id" validate:"omitnil,id"`
	TopicID   *uint64 `json:"topic_id" validate:"omitnil,id"`
}

// createPollRequest is the API's poll body (handlers/openapi.yaml). The method is checked by the model, which names
// the methods in its message.
type createPollRequest struct {
	Title             string              `json:"title" validate:"required,notblank,max=100"`
	Method            string              `json:"method"`
	Options           []pollOptionRequest `json:"options" validate:"max=50,dive"`
	MaxChoices        *int                `json:"max_choices" validate:"omitnil,min=1,max=50"`
	DotsPerVoter      *int                `json:"dots_per_voter" validate:"omitnil,min=1,max=100"`
	MaxDotsPerOption  *int                `json:"max_dots_per_option" validate:"omitnil,min=1,max=100"`
	ScoreMax          *int                `json:"score_max" validate:"omitnil,min=1,max=10"`
	Eligibility       string              `json:"eligibility" validate:"required,oneof=attendees verified_residents members owners"`
	Weight            string              `json:"weight" validate:"required,oneof=person household owner_area"`
	Secrecy           string              `json:"secrecy" validate:"required,oneof=named secret"`
	ResultsVisibility string              `json:"results_visibility" validate:"required,oneof=live after_vote after_close"`
	Rule              *string             `json:"rule" validate:"omitnil,oneof=simple_majority majority_of_attendees two_thirds civil_code_278_ordinary civil_code_278_major"`
	Quorum            *int                `json:"quorum" validate:"omitnil,min=0,max=100000"`
	BuildingIDs       []uint64            `json:"building_ids" validate:"omitempty,max=50,dive,id"`
}

func (r *createPollRequest) input() models.PollInput {
	in := models.PollInput{Title: r.Title, Method: r.Method, MaxChoices: r.MaxChoices, DotsPerVoter: r.DotsPerVoter,
		MaxDotsPerOption: r.MaxDotsPerOption, ScoreMax: r.ScoreMax, Eligibility: r.Eligibility, Weight: r.Weight,
		Secrecy: r.Secrecy, ResultsVisibility: r.ResultsVisibility, Rule: r.Rule, BuildingIDs: r.BuildingIDs}
	if r.Quorum != nil {
		in.Quorum = *r.Quorum
	}
	for _, o := range r.Options {
		in.Options = append(in.Options, models.PollOptionInput{Label: o.Label, ClusterID: o.ClusterID, CardID: o.CardID, TopicID: o.TopicID})
	}
	return in
}

func (a *App) createMeetingPoll(c echo.Context) error {
	return a.createPoll(c, a.store.CreateMeetingPoll)
}

func (a *App) createCyclePoll(c echo.Context) error {
	return a.createPoll(c, a.store.CreateCyclePoll)
}

func (a *App) createPoll(c echo.Context, create func(ctx context.Context, a models.Actor, id uint64, in models.PollInput) (*models.Poll, error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req createPollRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p, err := create(c.Request().Context(), actor(c), id, req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (a *App) listMeetingPolls(c echo.Context) error {
	return a.listPolls(c, a.store.ListMeetingPolls)
}

func (a *App) listCyclePolls(c echo.Context) error {
	return a.listPolls(c, a.store.ListCyclePolls)
}

func (a *App) listPolls(c echo.Context, list func(ctx context.Context, a models.Actor, id uint64) ([]models.Poll, error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ps, err := list(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(ps, 0))
}

func (a *App) getPoll(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := a.store.GetPoll(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *App) openPoll(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := a.store.OpenPoll(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (a *App) closePoll(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.store.ClosePoll(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// castBallotRequest is a ballot: exactly the field of the poll's method (docs/architecture.md "The HTTP API"). The
// keys of dots and scores are option ids.
type castBallotRequest struct {
	Choice    *string          `json:"choice" validate:"omitnil,oneof=yes no abstain"`
	OptionID  *uint64          `json:"option_id" validate:"omitnil,id"`
	OptionIDs []uint64         `json:"option_ids" validate:"omitempty,max=50,dive,id"`
	Dots      map[string]int64 `json:"dots"`
	Ranking   []uint64         `json:"ranking" validate:"omitempty,max=50,dive,id"`
	Scores    map[string]int64 `json:"scores"`
}

// optionMap reads a map keyed by option ids; a key that is no id names no option of the poll.
func optionMap(field string, m map[string]int64) (map[uint64]int64, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[uint64]int64, len(m))
	for k, v := range m {
		id, err := strconv.ParseUint(k, 10, idBits)
		if err != nil || id == 0 {
			return nil, models.FieldError(field, "option_not_in_poll")
		}
		out[id] = v
	}
	return out, nil
}

func (r *castBallotRequest) ballot() (tally.Ballot, error) {
	b := tally.Ballot{OptionID: r.OptionID, OptionIDs: r.OptionIDs, Ranking: r.Ranking}
	if r.Choice != nil {
		b.Choice = *r.Choice
	}
	var err error
	if b.Dots, err = optionMap("dots", r.Dots); err != nil {
		return b, err
	}
	if b.Scores, err = optionMap("scores", r.Scores); err != nil {
		return b, err
	}
	return b, nil
}

func (a *App) castBallot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req castBallotRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := req.ballot()
	if err != nil {
		return err
	}
	my, err := a.store.CastBallot(c.Request().Context(), actor(c), id, b)
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(my.Created), my)
}

func (a *App) myBallot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	my, err := a.store.MyPollBallot(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, my)
}

// pollResults answers the result; ?recount=1 (true) adds the committee's recount from the
// ballot rows.
func (a *App) pollResults(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var recount bool
	switch c.QueryParam("recount") {
	case "", "0", "false":
	case "1", "true":
		recount = true
	default:
		return models.FieldError("recount", "invalid")
	}
	r, err := a.store.PollResults(c.Request().Context(), actor(c), id, recount)
	if err != nil {
		return err
	}
	if r.Recount != nil {
		loc := localeOf(c)
		for i, l := range r.Recount.NotRederived {
			r.Recount.NotRederived[i].Text = T(loc, "recount."+l.Code, nil)
		}
	}
	return c.JSON(http.StatusOK, r)
}

func (a *App) offlineTallies(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	t, err := a.store.OfflineTallies(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// setOfflineTallyRequest sets one offline source's counts: keys are option ids or, for an
// approval poll, yes, no and abstain; an owners' poll also takes the area (m²) per option.
type setOfflineTallyRequest struct {
	Source string             `json:"source" validate:"required,notblank,max=20"`
	Counts map[string]int64   `json:"counts" validate:"required"`
	Areas  map[string]float64 `json:"areas"`
	Voters *int64             `json:"voters" validate:"omitnil,min=0,max=1000000"`
}

func (a *App) setOfflineTally(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req setOfflineTallyRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := a.store.SetOfflineTally(c.Request().Context(), actor(c), id,
		models.OfflineTallyInput{Source: req.Source, Counts: req.Counts, Areas: req.Areas, Voters: req.Voters})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

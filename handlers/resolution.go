package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// resolutionRoutes are resolutions (决议): drafted from a round table's closed formal vote,
// decided by that vote or, for a Civil Code art. 278 matter, by the owners, and signed (签字) by
// the meeting's attendees.
func (a *App) resolutionRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/cycles/:id/resolutions", a.listResolutions, auth)
	g.POST("/cycles/:id/resolutions", a.draftResolution, auth)
	g.GET("/resolutions/:id", a.getResolution, auth)
	g.POST("/resolutions/:id/owners-decision", a.recordOwnersDecision, auth)
	g.POST("/resolutions/:id/signatures", a.signResolution, auth)
}

// resolutionResponse is a resolution with its category and matter named in the reader's
// language: an ordinary resolution is labelled a consultation result (协商意见).
type resolutionResponse struct {
	*models.Resolution
	CategoryLabel string `json:"category_label"`
	MatterLabel   string `json:"matter_label"`
}

func labelled(loc string, r *models.Resolution) resolutionResponse {
	out := resolutionResponse{Resolution: r, CategoryLabel: T(loc, "resolution.category."+r.Category, nil)}
	if r.Matter != "" {
		out.MatterLabel = T(loc, "resolution.matter."+r.Matter, nil)
	}
	return out
}

func (a *App) listResolutions(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rs, err := a.store.ListCycleResolutions(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	loc := localeOf(c)
	out := make([]resolutionResponse, 0, len(rs))
	for i := range rs {
		out = append(out, labelled(loc, &rs[i]))
	}
	return c.JSON(http.StatusOK, page(out, 0))
}

// The categories and matters in the validate tags are models.ResolutionCategories and
// models.Matters278, in order; TestResolution_EnumsMatch keeps them so.
type draftResolutionRequest struct {
	PollID     uint64   `json:"poll_id" validate:"required,id"`
	Title      string   `json:"title" validate:"required,notblank,max=100"`
	Text       string   `json:"text" validate:"required,notblank,max=5000" text:"multiline"`
	Category   string   `json:"category" validate:"omitempty,oneof=ordinary civil_code_278_ordinary civil_code_278_major"`
	Matter     string   `json:"matter" validate:"omitempty,oneof=rules_of_procedure management_covenant owners_committee property_service maintenance_fund_use maintenance_fund_raise rebuilding common_parts_use elevator_retrofit other_major_matter"`
	ClusterIDs []uint64 `json:"cluster_ids" validate:"max=50,dive,min=1,id"`
	CardIDs    []uint64 `json:"card_ids" validate:"max=200,dive,min=1,id"`
}

func (a *App) draftResolution(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req draftResolutionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := a.store.DraftResolution(c.Request().Context(), actor(c), id, models.ResolutionInput{PollID: req.PollID,
		Title: req.Title, Text: req.Text, Category: req.Category, Matter: req.Matter, ClusterIDs: req.ClusterIDs,
		CardIDs: req.CardIDs})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, labelled(localeOf(c), r))
}

func (a *App) getResolution(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.store.GetResolution(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, labelled(localeOf(c), r))
}

// officialResultRequest is an owners' vote as the official e-voting platform published it;
// areas in m².
type officialResultRequest struct {
	Source             string  `json:"source" validate:"required,notblank,max=50"`
	DecidedOn          string  `json:"decided_on" validate:"required"`
	EligibleUnits      int64   `json:"eligible_units" validate:"min=1,max=1000000"`
	EligibleArea       float64 `json:"eligible_area" validate:"gte=0.01,lte=100000000"`
	ParticipatingUnits int64   `json:"participating_units" validate:"min=0,max=1000000"`
	ParticipatingArea  float64 `json:"participating_area" validate:"gte=0,lte=100000000"`
	UnitsFor           int64   `json:"units_for" validate:"min=0,max=1000000"`
	AreaFor            float64 `json:"area_for" validate:"gte=0,lte=100000000"`
	UnitsAgainst       int64   `json:"units_against" validate:"min=0,max=1000000"`
	AreaAgainst        float64 `json:"area_against" validate:"gte=0,lte=100000000"`
	NoticeUploadID     uint64  `json:"notice_upload_id" validate:"required,id"`
}

type ownersDecisionRequest struct {
	PollID   *uint64                `json:"poll_id" validate:"omitnil,id"`
	Official *officialResultRequest `json:"official"`
}

func (a *App) recordOwnersDecision(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ownersDecisionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := models.OwnersDecisionInput{PollID: req.PollID}
	if o := req.Official; o != nil {
		in.Official = &models.OfficialResult{Source: o.Source, DecidedOn: o.DecidedOn, EligibleUnits: o.EligibleUnits,
			EligibleArea: o.EligibleArea, ParticipatingUnits: o.ParticipatingUnits, ParticipatingArea: o.ParticipatingArea,
			UnitsFor: o.UnitsFor, AreaFor: o.AreaFor, UnitsAgainst: o.UnitsAgainst, AreaAgainst: o.AreaAgainst,
			NoticeUploadID: o.NoticeUploadID}
	}
	r, err := a.store.RecordOwnersDecision(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, labelled(localeOf(c), r))
}

// signResolutionRequest: empty to sign for oneself; a member's user_id or a walk-in's name for
// the facilitator signing them in.
type signResolutionRequest struct {
	UserID *uint64 `json:"user_id" validate:"omitnil,id"`
	Name   string  `json:"name" validate:"max=50"`
}

func (a *App) signResolution(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req signResolutionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, created, err := a.store.SignResolution(c.Request().Context(), actor(c), id,
		models.SignInput{UserID: req.UserID, Name: req.Name})
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(created), labelled(localeOf(c), r))
}

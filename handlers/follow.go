package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// followRoutes are the follow-through of a resolution (docs/follow-through.md): publicity with
// objections, the budget, action items, party members' claims and progress updates with evidence.
func (a *App) followRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.POST("/resolutions/:id/publicity", a.startPublicity, auth)
	g.POST("/resolutions/:id/objections", a.lodgeObjection, auth)
	g.POST("/objections/:id/answer", a.answerObjection, auth)
	g.PATCH("/resolutions/:id", a.setBudget, auth)
	g.GET("/resolutions/:id/items", a.listItems, auth)
	g.POST("/resolutions/:id/items", a.createItem, auth)
	g.GET("/items/:id", a.getItem, auth)
	g.PATCH("/items/:id", a.updateItem, auth)
	g.POST("/items/:id/claims", a.claimItem, auth)
	g.POST("/claims/:id/confirm", a.confirmClaim, auth)
	g.POST("/claims/:id/decline", a.declineClaim, auth)
	g.GET("/communities/:cid/claimable-items", a.claimableItems, auth)
	g.POST("/items/:id/updates", a.postUpdate, auth)
	g.GET("/me/items", a.myItems, auth)
}

type publicityRequest struct {
	Days *int `json:"days" validate:"omitnil,min=0,max=90"`
}

func (a *App) startPublicity(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req publicityRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := a.store.StartPublicity(c.Request().Context(), actor(c), id, req.Days)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, labelled(localeOf(c), r))
}

type objectionRequest struct {
	Text string `json:"text" validate:"required,notblank,max=2000" text:"multiline"`
}

func (a *App) lodgeObjection(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req objectionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	o, err := a.store.LodgeObjection(c.Request().Context(), actor(c), id, req.Text)
	if err != nil {
		return err
	}
	o.Mine = true
	return c.JSON(http.StatusCreated, o)
}

type answerObjectionRequest struct {
	Text string `json:"text" validate:"required,notblank,max=2000" text:"multiline"`
}

func (a *App) answerObjection(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req answerObjectionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	o, err := a.store.AnswerObjection(c.Request().Context(), actor(c), id, req.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// The funding sources in the validate tag are models.FundingSources, in order.
type budgetRequest struct {
	BudgetFen     *int64  `json:"budget_fen" validate:"omitnil,min=0,max=1000000000000"`
	FundingSource *string `json:"funding_source" validate:"omitnil,oneof=maintenance_fund government_subsidy residents property other"`
	// A draft's corrections and the minority's view (handlers/resolution_review.go): a PATCH
	// carries these or the budget, not both.
	Title           *string `json:"title" validate:"omitnil,notblank,max=100"`
	Text            *string `json:"text" validate:"omitnil,notblank,max=5000" text:"multiline"`
	MinorityOpinion *string `json:"minority_opinion" validate:"omitnil,max=2000" text:"multiline"`
}

func (a *App) setBudget(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req budgetRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Title != nil || req.Text != nil || req.MinorityOpinion != nil {
		return a.amendResolution(c, id, &req)
	}
	r, err := a.store.SetBudget(c.Request().Context(), actor(c), id,
		models.BudgetPatch{BudgetFen: req.BudgetFen, FundingSource: req.FundingSource})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, labelled(localeOf(c), r))
}

func (a *App) listItems(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	items, err := a.store.ListItems(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, 0))
}

type createItemRequest struct {
	Title          string   `json:"title" validate:"required,notblank,max=100"`
	ParentID       *uint64  `json:"parent_id" validate:"omitnil,min=1,id"`
	Weight         *int     `json:"weight" validate:"omitnil,min=1,max=100"`
	DueDate        string   `json:"due_date" validate:"required,len=10"`
	Skills         []string `json:"skills" validate:"max=10,dive,max=20"`
	AssigneeUserID *uint64  `json:"assignee_user_id" validate:"omitnil,min=1,id"`
	AssigneeOrgID  *uint64  `json:"assignee_org_id" validate:"omitnil,min=1,id"`
	ContactName    string   `json:"contact_name" validate:"max=50"`
	ContactPhone   string   `json:"contact_phone" validate:"max=20"`
	OpenForClaims  bool     `json:"open_for_claims"`
}

func (a *App) createItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req createItemRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	it, err := a.store.CreateItem(c.Request().Context(), actor(c), id, models.ItemInput{Title: req.Title, ParentID: req.ParentID,
		Weight: req.Weight, DueDate: req.DueDate, Skills: req.Skills, AssigneeUserID: req.AssigneeUserID,
		AssigneeOrgID: req.AssigneeOrgID, ContactName: req.ContactName, ContactPhone: req.ContactPhone,
		OpenForClaims: req.OpenForClaims})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, it)
}

func (a *App) getItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	it, err := a.store.GetItem(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

// The statuses in the validate tag are models.ItemStatuses, in order.
type updateItemRequest struct {
	Status         *string `json:"status" validate:"omitnil,oneof=todo in_progress blocked done cancelled"`
	Progress       *int    `json:"progress" validate:"omitnil,min=0,max=100"`
	BlockedReason  *string `json:"blocked_reason" validate:"omitnil,max=500" text:"multiline"`
	DueDate        *string `json:"due_date" validate:"omitnil,len=10"`
	AssigneeUserID *uint64 `json:"assignee_user_id" validate:"omitnil,id"`
}

func (a *App) updateItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req updateItemRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	it, err := a.store.UpdateItem(c.Request().Context(), actor(c), id, models.ItemPatch{Status: req.Status,
		Progress: req.Progress, BlockedReason: req.BlockedReason, DueDate: req.DueDate, AssigneeUserID: req.AssigneeUserID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

func (a *App) claimItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct{}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cl, err := a.store.ClaimItem(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cl)
}

func (a *App) decideClaim(c echo.Context, confirm bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct{}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cl, err := a.store.DecideClaim(c.Request().Context(), actor(c), id, confirm)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cl)
}

func (a *App) confirmClaim(c echo.Context) error { return a.decideClaim(c, true) }
func (a *App) declineClaim(c echo.Context) error { return a.decideClaim(c, false) }

// claimablePage is the list of items open for claims with the reader's own skills and load.
type claimablePage struct {
	Items      []models.ClaimableItem `json:"items"`
	NextCursor string                 `json:"next_cursor"`
	Load       int                    `json:"load"`
}

func (a *App) claimableItems(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	items, load, err := a.store.ClaimableItems(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, claimablePage{Items: items, Load: load})
}

type postUpdateRequest struct {
	Note     string   `json:"note" validate:"required,notblank,max=2000" text:"multiline"`
	Progress *int     `json:"progress" validate:"omitnil,min=0,max=100"`
	PhotoIDs []uint64 `json:"photo_ids" validate:"max=9,dive,min=1,id"`
	Hours    *float64 `json:"hours" validate:"omitnil,min=0,max=1000"`
	CostFen  *int64   `json:"cost_fen" validate:"omitnil,min=0,max=100000000000"`
}

func (a *App) postUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req postUpdateRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := models.UpdateInput{Note: req.Note, Progress: req.Progress, PhotoIDs: req.PhotoIDs}
	if req.Hours != nil {
		in.Hours = *req.Hours
	}
	if req.CostFen != nil {
		in.CostFen = *req.CostFen
	}
	u, err := a.store.PostUpdate(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (a *App) myItems(c echo.Context) error {
	items, err := a.store.MyItems(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, 0))
}

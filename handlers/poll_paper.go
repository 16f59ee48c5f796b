package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// paperBallotRoutes are an owners' poll's paper ballots entered unit by unit (书面表决票), so
// that no owner is counted online and on paper.
func (a *App) paperBallotRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/polls/:id/paper-ballots", a.listPaperBallots, auth)
	g.POST("/polls/:id/paper-ballots", a.addPaperBallot, auth)
	g.DELETE("/paper-ballots/:id", a.voidPaperBallot, auth)
}

func (a *App) listPaperBallots(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	out, err := a.store.ListPaperBallots(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// addPaperBallotRequest is one paper ballot: the unit written on it, the choice and its number.
type addPaperBallotRequest struct {
	HouseholdID uint64 `json:"household_id" validate:"required,id"`
	Choice      string `json:"choice" validate:"required,oneof=yes no abstain"`
	BallotNo    string `json:"ballot_no" validate:"required,notblank,max=20"`
}

func (a *App) addPaperBallot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req addPaperBallotRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	pb, err := a.store.AddPaperBallot(c.Request().Context(), actor(c), id,
		models.PaperBallotInput{HouseholdID: req.HouseholdID, Choice: req.Choice, BallotNo: req.BallotNo})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, pb)
}

// voidPaperBallotRequest voids a mistaken entry with the reason; a secret poll's entry also
// needs the choice the paper ballot made, which the entry does not keep.
type voidPaperBallotRequest struct {
	Reason string  `json:"reason" validate:"required,notblank,max=200"`
	Choice *string `json:"choice" validate:"omitnil,oneof=yes no abstain"`
}

func (a *App) voidPaperBallot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req voidPaperBallotRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in := models.VoidPaperBallotInput{Reason: req.Reason}
	if req.Choice != nil {
		in.Choice = *req.Choice
	}
	pb, err := a.store.VoidPaperBallot(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pb)
}

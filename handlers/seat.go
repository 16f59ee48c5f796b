package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// seatRoutes are the stakeholder seats of a round table (席位): who is invited to sit at the
// table for which side or body, and whether they came.
func (a *App) seatRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/meetings/:id/seats", a.listSeats, auth)
	g.POST("/meetings/:id/seats", a.inviteSeat, auth)
	g.PATCH("/seats/:id", a.updateSeat, auth)
	g.DELETE("/seats/:id", a.removeSeat, auth)
}

func (a *App) listSeats(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	l, err := a.store.ListSeats(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// seatRules names the validator's complaints about a seat's kind and label as the seat's own
// rules, whose messages speak of the seat: the generic ones would call a label a card group's.
func seatRules(err error) error {
	var e *models.Error
	if !errors.As(err, &e) {
		return err
	}
	for f, rule := range e.Fields {
		switch {
		case f == "label" && rule == "required":
			e.Fields[f] = "seat_label_required"
		case f == "label" && strings.HasPrefix(rule, "max:"):
			e.Fields[f] = "seat_label_too_long"
		case f == "kind" && rule == "required":
			e.Fields[f] = "seat_kind_required"
		case f == "kind" && strings.HasPrefix(rule, "oneof:"):
			e.Fields[f] = "unknown_seat_kind"
		}
	}
	return err
}

// inviteeRequest names who is invited: a member or a guest by name, optionally with the
// organization they come for.
type inviteeRequest struct {
	UserID         *uint64 `json:"user_id" validate:"omitnil,id"`
	OrganizationID *uint64 `json:"organization_id" validate:"omitnil,id"`
	Name           string  `json:"name" validate:"max=50"`
}

func (r *inviteeRequest) invitee() models.Invitee {
	if r == nil {
		return models.Invitee{}
	}
	return models.Invitee{UserID: r.UserID, OrganizationID: r.OrganizationID, Name: r.Name}
}

// The kinds in the validate tags are models.SeatKinds, in order; TestSeat_KindsMatch keeps them so.
type inviteSeatRequest struct {
	Kind    string          `json:"kind" validate:"required,oneof=resident_pro resident_con resident_neutral building_head owners_committee property party_org party_member grid_worker department expert other"`
	Label   string          `json:"label" validate:"required,notblank,max=30"`
	Invitee *inviteeRequest `json:"invitee"`
}

func (a *App) inviteSeat(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req inviteSeatRequest
	if err := bindJSON(c, &req); err != nil {
		return seatRules(err)
	}
	st, err := a.store.InviteSeat(c.Request().Context(), actor(c), id,
		models.SeatInput{Kind: req.Kind, Label: req.Label, Invitee: req.Invitee.invitee()})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

type updateSeatRequest struct {
	Kind     *string         `json:"kind" validate:"omitnil,oneof=resident_pro resident_con resident_neutral building_head owners_committee property party_org party_member grid_worker department expert other"`
	Label    *string         `json:"label" validate:"omitnil,notblank,max=30"`
	Position *int            `json:"position" validate:"omitnil,min=1,max=1000"`
	Invitee  *inviteeRequest `json:"invitee"`
}

func (a *App) updateSeat(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req updateSeatRequest
	if err := bindJSON(c, &req); err != nil {
		return seatRules(err)
	}
	ch := models.SeatChange{Kind: req.Kind, Label: req.Label, Position: req.Position}
	if req.Invitee != nil {
		inv := req.Invitee.invitee()
		ch.Invitee = &inv
	}
	st, err := a.store.UpdateSeat(c.Request().Context(), actor(c), id, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (a *App) removeSeat(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.RemoveSeat(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

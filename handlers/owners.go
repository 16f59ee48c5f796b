package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// ownerRoutes are the owners' register (业主名册) that owners' votes count from: who owns each
// exclusive unit. Members read the published list (rooms and areas); admins and facilitators keep
// it and see the owners.
func (a *App) ownerRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/compounds/:id/owners", a.listOwners, auth)
	g.PUT("/households/:id/owner", a.setOwner, auth)
	g.DELETE("/households/:id/owner", a.clearOwner, auth)
}

func (a *App) listOwners(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var building uint64
	if v := c.QueryParam("building_id"); v != "" {
		building, err = strconv.ParseUint(v, 10, idBits)
		if err != nil || building == 0 {
			return models.FieldError("building_id", "invalid")
		}
	}
	reg, err := a.store.ListOwnerRegister(c.Request().Context(), actor(c), id, building)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reg)
}

// setOwnerRequest names a unit's owner: a member, a name, or the owner of another unit of the
// compound (same_owner_as, a household id) — exactly one.
type setOwnerRequest struct {
	UserID      *uint64 `json:"user_id" validate:"omitnil,id"`
	Name        string  `json:"name" validate:"max=50"`
	SameOwnerAs *uint64 `json:"same_owner_as" validate:"omitnil,id"`
}

func (a *App) setOwner(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req setOwnerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := a.store.SetHouseholdOwner(c.Request().Context(), actor(c), id,
		models.OwnerInput{UserID: req.UserID, Name: req.Name, SameOwnerAs: req.SameOwnerAs})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (a *App) clearOwner(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.ClearHouseholdOwner(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

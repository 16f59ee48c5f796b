package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// pollOwnerRoll answers an owners' poll's published roll (表决名册): every unit of its scope by
// building, room and area, never its owner.
func (a *App) pollOwnerRoll(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := a.store.PollOwnerRoll(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

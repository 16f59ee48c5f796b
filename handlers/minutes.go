package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// minutesResponse is the minutes with each resolution's category named in the reader's language.
type minutesResponse struct {
	*models.Minutes
	Resolutions []resolutionResponse `json:"resolutions"`
}

// getMinutes is GET /meetings/:id/minutes (docs/paper.md "The minutes").
func (a *App) getMinutes(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := a.store.MeetingMinutes(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	loc := localeOf(c)
	out := minutesResponse{Minutes: m, Resolutions: make([]resolutionResponse, 0, len(m.Resolutions))}
	for i := range m.Resolutions {
		out.Resolutions = append(out.Resolutions, labelled(loc, &m.Resolutions[i]))
	}
	return c.JSON(http.StatusOK, out)
}

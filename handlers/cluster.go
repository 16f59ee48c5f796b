package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// clusterRoutes are the card wall of a round table: groups of cards (KJ method) and where each
// card lies.
func (a *App) clusterRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/meetings/:id/clusters", a.clusterBoard, auth)
	g.POST("/meetings/:id/clusters", a.createCluster, auth)
	g.PATCH("/clusters/:id", a.updateCluster, auth)
	g.DELETE("/clusters/:id", a.dissolveCluster, auth)
	g.PUT("/cards/:id/cluster", a.moveCard, auth)
}

func (a *App) clusterBoard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	b, err := a.store.ClusterBoard(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

type createClusterRequest struct {
	Label string `json:"label" validate:"required,notblank,max=30"`
	// CardIDs are the cards to put into the new group, in order (models.MaxNewClusterCards).
	CardIDs []uint64 `json:"card_ids" validate:"omitempty,max=50,dive,min=1,id"`
}

func (a *App) createCluster(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req createClusterRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cl, err := a.store.CreateClusterWithCards(c.Request().Context(), actor(c), id, req.Label, req.CardIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cl)
}

type updateClusterRequest struct {
	Label    *string `json:"label" validate:"omitnil,notblank,max=30"`
	Position *int    `json:"position" validate:"omitnil,min=1,max=1000"`
}

func (a *App) updateCluster(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req updateClusterRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cl, err := a.store.UpdateCluster(c.Request().Context(), actor(c), id,
		models.ClusterChange{Label: req.Label, Position: req.Position})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cl)
}

func (a *App) dissolveCluster(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.DissolveCluster(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type moveCardRequest struct {
	ClusterID *uint64 `json:"cluster_id" validate:"omitnil,id"`
	Position  *int    `json:"position" validate:"omitnil,min=1,max=1000"`
}

func (a *App) moveCard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req moveCardRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.ClusterID == nil && req.Position != nil {
		return models.FieldError("position", "loose_no_position")
	}
	p, err := a.store.MoveCard(c.Request().Context(), actor(c), id,
		models.CardMove{ClusterID: req.ClusterID, Position: req.Position})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) placeRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/communities", a.listCommunities, auth)
	g.POST("/communities", a.createCommunity, auth)
	g.GET("/communities/:cid", a.getCommunity, auth)
	g.PATCH("/communities/:cid", a.updateCommunity, auth)
	g.GET("/communities/:cid/compounds", a.listCompounds, auth)
	g.POST("/communities/:cid/compounds", a.createCompound, auth)
	g.GET("/compounds/:id/buildings", a.listBuildings, auth)
	g.POST("/compounds/:id/buildings", a.createBuilding, auth)
	g.GET("/compounds/:id/households", a.listHouseholds, auth)
	g.POST("/compounds/:id/households", a.createHousehold, auth)
}

func (a *App) listCommunities(c echo.Context) error {
	cs, err := a.store.ListCommunities(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(cs, 0))
}

type createCommunityRequest struct {
	Name     string `json:"name" validate:"required,notblank,max=100"`
	Street   string `json:"street" validate:"required,notblank,max=100"`
	District string `json:"district" validate:"required,notblank,max=100"`
	City     string `json:"city" validate:"required,notblank,max=100"`
}

func (a *App) createCommunity(c echo.Context) error {
	var req createCommunityRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cm, err := a.store.CreateCommunity(c.Request().Context(), actor(c),
		models.CommunityInput{Name: req.Name, Street: req.Street, District: req.District, City: req.City})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cm)
}

func (a *App) getCommunity(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	cm, err := a.store.GetCommunity(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cm)
}

type updateCommunityRequest struct {
	Name     *string `json:"name" validate:"omitnil,notblank,max=100"`
	Street   *string `json:"street" validate:"omitnil,notblank,max=100"`
	District *string `json:"district" validate:"omitnil,notblank,max=100"`
	City     *string `json:"city" validate:"omitnil,notblank,max=100"`
	// SatisfactionThreshold in percent (docs/notifications.md "Survey and sign-off").
	SatisfactionThreshold *int `json:"satisfaction_threshold" validate:"omitnil,min=0,max=100"`
	// PublicityDays is the publicity period of resolutions (docs/follow-through.md "Publicity").
	PublicityDays *int `json:"publicity_days" validate:"omitnil,min=0,max=90"`
}

func (a *App) updateCommunity(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req updateCommunityRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cm, err := a.store.UpdateCommunity(c.Request().Context(), actor(c), cid,
		models.CommunityPatch{Name: req.Name, Street: req.Street, District: req.District, City: req.City,
			SatisfactionThreshold: req.SatisfactionThreshold, PublicityDays: req.PublicityDays})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cm)
}

func (a *App) listCompounds(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	cs, err := a.store.ListCompounds(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(cs, 0))
}

type createCompoundRequest struct {
	Name    string `json:"name" validate:"required,notblank,max=100"`
	Address string `json:"address" validate:"max=200"`
}

func (a *App) createCompound(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req createCompoundRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cp, err := a.store.CreateCompound(c.Request().Context(), actor(c), cid,
		models.CompoundInput{Name: req.Name, Address: req.Address})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cp)
}

func (a *App) listBuildings(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	bs, err := a.store.ListBuildings(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(bs, 0))
}

type createBuildingRequest struct {
	Name string `json:"name" validate:"required,notblank,max=50"`
}

func (a *App) createBuilding(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req createBuildingRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, err := a.store.CreateBuilding(c.Request().Context(), actor(c), id, req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, b)
}

func (a *App) listHouseholds(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var building uint64
	if v := c.QueryParam("building_id"); v != "" {
		building, err = strconv.ParseUint(v, 10, idBits)
		if err != nil {
			return models.FieldError("building_id", "invalid")
		}
	}
	hs, err := a.store.ListHouseholds(c.Request().Context(), actor(c), id, building)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(hs, 0))
}

type createHouseholdRequest struct {
	BuildingID    uint64  `json:"building_id" validate:"required,id"`
	Room          string  `json:"room" validate:"required,notblank,max=32"`
	Area          float64 `json:"area" validate:"gte=0.01,lte=10000"`
	OwnerOccupied bool    `json:"owner_occupied"`
}

func (a *App) createHousehold(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req createHouseholdRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	h, err := a.store.CreateHousehold(c.Request().Context(), actor(c), id, models.HouseholdInput{
		BuildingID: req.BuildingID, Room: req.Room, Area: req.Area, OwnerOccupied: req.OwnerOccupied})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, h)
}

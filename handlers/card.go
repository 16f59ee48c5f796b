package handlers

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/media"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) cardRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.POST("/uploads", a.upload, auth)
	g.GET("/uploads/:id", a.getUpload, auth)
	g.GET("/cycles/:id/cards", a.listCards, auth)
	g.POST("/cycles/:id/cards", a.submitCard, auth)
	g.GET("/cards/:id", a.getCard, auth)
	g.PATCH("/cards/:id", a.updateCard, auth)
	g.POST("/cards/:id/reports", a.reportCard, auth)
	g.GET("/cards/:id/timeline", a.cardTimeline, auth)
}

// maxUploadBody leaves room for the multipart envelope around a 10 MB photo.
const maxUploadBody = media.MaxBytes + 1<<20

type uploadResponse struct {
	*models.Upload
	URL string `json:"url"`
}

func (a *App) upload(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxUploadBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return models.PhotoTooLarge()
		}
		return models.FieldError("file", "required")
	}
	defer r.MultipartForm.RemoveAll()
	cid, err := strconv.ParseUint(r.FormValue("community_id"), 10, idBits)
	if err != nil || cid == 0 {
		return models.FieldError("community_id", "required")
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return models.FieldError("file", "required")
	}
	defer f.Close()
	up, err := a.store.SaveUpload(r.Context(), actor(c), cid, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, uploadResponse{Upload: up, URL: API + "/uploads/" + strconv.FormatUint(up.ID, 10)})
}

func (a *App) getUpload(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	up, rc, err := a.store.OpenUpload(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := c.Response().Header()
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Length", strconv.FormatInt(up.Size, 10))
	c.Response().Header().Set(echo.HeaderContentType, up.ContentType)
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), rc)
	return err
}

func (a *App) listCards(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := models.CardFilter{Status: c.QueryParam("status"), Mine: c.QueryParam("mine") == "true"}
	cards, err := a.store.ListCards(c.Request().Context(), actor(c), id, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(cards, 0))
}

type submitCardRequest struct {
	Body       string  `json:"body" validate:"required,notblank" text:"multiline"`
	Anonymous  bool    `json:"anonymous"`
	Origin     string  `json:"origin" validate:"omitempty,oneof=online paper table"`
	AuthorName string  `json:"author_name" validate:"max=50"`
	PhotoID    *uint64 `json:"photo_id" validate:"omitnil,id"`
}

func (a *App) submitCard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if len(key) > 100 {
		return models.FieldError("Idempotency-Key", "max:100")
	}
	var req submitCardRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	card, created, err := a.store.SubmitCard(c.Request().Context(), actor(c), id, models.CardInput{Body: req.Body,
		Anonymous: req.Anonymous, Origin: req.Origin, AuthorName: req.AuthorName, PhotoID: req.PhotoID, IdempotencyKey: key})
	if err != nil {
		return err
	}
	if !created {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, card)
}

func (a *App) getCard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	card, err := a.store.GetCard(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, card)
}

type updateCardRequest struct {
	Status string `json:"status" validate:"omitempty,oneof=visible hidden withdrawn"`
	Reason string `json:"reason" validate:"max=500" text:"multiline"`
	// Body and AuthorName correct a typed-in card (its typist only); they are not taken together
	// with a status.
	Body       *string `json:"body" validate:"omitempty,max=300" text:"multiline"`
	AuthorName *string `json:"author_name" validate:"omitempty,max=50"`
}

func (a *App) updateCard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req updateCardRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	correcting := req.Body != nil || req.AuthorName != nil
	var card *models.Card
	switch {
	case correcting && req.Status != "":
		return models.FieldError("status", "card_status_or_correction")
	case correcting:
		card, err = a.store.CorrectCard(c.Request().Context(), actor(c), id, models.CardCorrection{Body: req.Body, AuthorName: req.AuthorName})
	case req.Status == "":
		return models.FieldError("status", "required")
	default:
		card, err = a.store.SetCardStatus(c.Request().Context(), actor(c), id, req.Status, req.Reason)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, card)
}

type reportCardRequest struct {
	Reason string `json:"reason" validate:"max=200" text:"multiline"`
}

type reportResponse struct {
	Reported bool         `json:"reported"`
	Card     *models.Card `json:"card"`
}

func (a *App) reportCard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req reportCardRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	card, err := a.store.ReportCard(c.Request().Context(), actor(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, reportResponse{Reported: true, Card: card})
}

func (a *App) cardTimeline(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	items, err := a.store.CardTimeline(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(items, 0))
}

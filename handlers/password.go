package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// Password routes: change in 我的, a reset code from the community office, and the reset itself
// with that code or one texted by SMS when a provider is configured.
func (a *App) passwordRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/auth/options", a.authOptions)
	g.POST("/auth/password-reset", a.resetPassword)
	g.POST("/auth/password-reset/sms", a.requestResetSMS)
	g.POST("/me/password", a.changePassword, auth)
	g.POST("/communities/:cid/members/:uid/password-reset", a.issueResetCode, auth)
}

// authOptions tells the login screens which ways in this server offers.
func (a *App) authOptions(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"sms_reset": a.cfg.SMS != nil,
		"password_min_length": models.PasswordMinLen})
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password" validate:"required,max=128" text:"raw"`
	NewPassword     string `json:"new_password" validate:"required,max=128" text:"raw"`
}

// changePassword ends every session of the caller and answers with a new one for this device.
func (a *App) changePassword(c echo.Context) error {
	var req changePasswordRequest
	if err := withPasswordRules(bindJSON(c, &req), "new_password", req.NewPassword, currentUser(c).Phone); err != nil {
		return err
	}
	u, sess, err := a.store.ChangePassword(c.Request().Context(), actor(c), req.CurrentPassword, req.NewPassword)
	if err != nil {
		return err
	}
	return a.startSession(c, http.StatusOK, u, sess)
}

func (a *App) issueResetCode(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	uid, err := pathID(c, "uid")
	if err != nil {
		return err
	}
	code, err := a.store.IssueResetCode(c.Request().Context(), actor(c), cid, uid)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, code)
}

type resetPasswordRequest struct {
	Phone       string `json:"phone" validate:"required,cnphone"`
	Code        string `json:"code" validate:"required,max=16"`
	NewPassword string `json:"new_password" validate:"required,max=128" text:"raw"`
}

func (a *App) resetPassword(c echo.Context) error {
	var req resetPasswordRequest
	if err := withPasswordRules(bindJSON(c, &req), "new_password", req.NewPassword, req.Phone); err != nil {
		return err
	}
	if err := a.store.ResetPassword(c.Request().Context(), models.ResetInput{Phone: req.Phone, Code: req.Code,
		NewPassword: req.NewPassword, ClientAddr: c.RealIP()}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type resetSMSRequest struct {
	Phone string `json:"phone" validate:"required,cnphone"`
}

var (
	errSMSDisabled    = &httpError{status: http.StatusUnprocessableEntity, title: "invalid", reason: "sms_disabled"}
	errSMSUnavailable = &httpError{status: http.StatusServiceUnavailable, title: "unavailable", reason: "sms_unavailable"}
)

// requestResetSMS texts a reset code when the phone has an account, and answers the same either
// way. A malformed phone is a field error even where SMS is not offered.
func (a *App) requestResetSMS(c echo.Context) error {
	var req resetSMSRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if a.cfg.SMS == nil {
		return errSMSDisabled
	}
	send := func(ctx context.Context, phone, code string) error {
		if err := a.cfg.SMS.SendCode(ctx, phone, code); err != nil {
			a.log.Warn("sms send failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
			return errSMSUnavailable
		}
		return nil
	}
	if err := a.store.RequestSMSCode(c.Request().Context(), req.Phone, c.RealIP(), send); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"expires_in": int(models.SMSCodeTTL.Seconds())})
}

// withPasswordRules adds a new password's broken rule to the request's other field errors, so a
// form shows every problem at once. The store checks the same rules again (models.ValidatePassword)
// for every other way in.
func withPasswordRules(err error, field, pw, phone string) error {
	var rule *models.Error
	if !errors.As(models.ValidatePassword(field, pw, phone), &rule) {
		return err
	}
	if err == nil {
		return rule
	}
	var de *models.Error
	if errors.As(err, &de) && de.Reason == "invalid_input" {
		if _, seen := de.Fields[field]; !seen {
			de.Fields[field] = rule.Fields[field]
		}
	}
	return err
}

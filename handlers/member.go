package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

func (a *App) memberRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/communities/:cid/members", a.listMembers, auth)
	g.POST("/communities/:cid/members", a.addMember, auth)
	g.GET("/me/invitations", a.myInvitations, auth)
	g.POST("/invitations/:id/accept", a.acceptInvitation, auth)
	g.POST("/invitations/:id/decline", a.declineInvitation, auth)
	g.PATCH("/communities/:cid/members/:uid", a.updateMember, auth)
	g.GET("/communities/:cid/organizations", a.listOrganizations, auth)
	g.POST("/communities/:cid/organizations", a.createOrganization, auth)
}

type listMembersQuery struct {
	Role     string `query:"role" json:"role" validate:"omitempty,oneof=resident grid_worker facilitator party_member committee admin"`
	Verified string `query:"verified" json:"verified" validate:"omitempty,oneof=true false"`
	Q        string `query:"q" json:"q" validate:"max=50"`
	Limit    int    `query:"limit" json:"limit" validate:"min=0,max=200"`
	Cursor   string `query:"cursor" json:"cursor" validate:"max=100"`
}

func (a *App) listMembers(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	q := listMembersQuery{Role: c.QueryParam("role"), Verified: c.QueryParam("verified"), Q: c.QueryParam("q"),
		Cursor: c.QueryParam("cursor")}
	if v := c.QueryParam("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil {
			return models.FieldError("limit", "invalid")
		}
	}
	if err := check(&q); err != nil {
		return err
	}
	after, err := decodeCursor(q.Cursor)
	if err != nil {
		return err
	}
	f := models.MemberFilter{Role: q.Role, Query: q.Q, After: after, Limit: q.Limit}
	if q.Verified != "" {
		v := q.Verified == "true"
		f.Verified = &v
	}
	ms, next, err := a.store.ListMembers(c.Request().Context(), actor(c), cid, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(ms, next))
}

type addMemberRequest struct {
	Phone       string   `json:"phone" validate:"required,cnphone"`
	Name        string   `json:"name" validate:"required,notblank,max=50"`
	Password    string   `json:"password" validate:"omitempty,max=128" text:"raw"`
	Roles       []string `json:"roles" validate:"required,min=1,max=6,dive,oneof=resident grid_worker facilitator party_member committee admin"`
	CompoundID  *uint64  `json:"compound_id" validate:"omitnil,id"`
	HouseholdID *uint64  `json:"household_id" validate:"omitnil,id"`
	Verified    *bool    `json:"verified"`
}

// addMember: the street-level superadmin adds the person at once (201, the member); a community
// admin invites them (202, the invitation), and the answer is the same whether the phone had an
// account or not.
func (a *App) addMember(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req addMemberRequest
	err = bindJSON(c, &req)
	if req.Password != "" {
		err = withPasswordRules(err, "password", req.Password, req.Phone)
	}
	if err != nil {
		return err
	}
	in := models.AddMemberInput{Phone: req.Phone, Name: req.Name, Password: req.Password, Roles: req.Roles,
		CompoundID: req.CompoundID, HouseholdID: req.HouseholdID, Verified: req.Verified}
	if actor(c).Superadmin {
		m, err := a.store.AddMember(c.Request().Context(), actor(c), cid, in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, m)
	}
	inv, err := a.store.InviteMember(c.Request().Context(), actor(c), cid, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, inv)
}

func (a *App) myInvitations(c echo.Context) error {
	invs, err := a.store.MyInvitations(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(invs, 0))
}

func (a *App) acceptInvitation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := a.store.AcceptInvitation(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (a *App) declineInvitation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeclineInvitation(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type updateMemberRequest struct {
	Roles          *[]string `json:"roles" validate:"omitnil,min=1,max=6,dive,oneof=resident grid_worker facilitator party_member committee admin"`
	Verified       *bool     `json:"verified"`
	Skills         *[]string `json:"skills" validate:"omitnil,max=20,dive,notblank,max=30"`
	WorkUnit       *string   `json:"work_unit" validate:"omitnil,max=100"`
	OrganizationID *uint64   `json:"organization_id" validate:"omitnil,id"`
	CompoundID     *uint64   `json:"compound_id" validate:"omitnil,id"`
	HouseholdID    *uint64   `json:"household_id" validate:"omitnil,id"`
}

func (a *App) updateMember(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	uid, err := pathID(c, "uid")
	if err != nil {
		return err
	}
	var req updateMemberRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	m, err := a.store.UpdateMember(c.Request().Context(), actor(c), cid, uid, models.MemberPatch{Roles: req.Roles,
		Verified: req.Verified, Skills: req.Skills, WorkUnit: req.WorkUnit, OrganizationID: req.OrganizationID,
		CompoundID: req.CompoundID, HouseholdID: req.HouseholdID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (a *App) listOrganizations(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	os, err := a.store.ListOrganizations(c.Request().Context(), actor(c), cid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page(os, 0))
}

type createOrganizationRequest struct {
	Name string `json:"name" validate:"required,notblank,max=100"`
	Kind string `json:"kind" validate:"required,oneof=property owners_committee self_governance district_department work_unit social_org"`
}

func (a *App) createOrganization(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req createOrganizationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	o, err := a.store.CreateOrganization(c.Request().Context(), actor(c), cid, req.Name, req.Kind)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, o)
}

package handlers

import (
	"context"
	"fmt"

	"github.com/yueyuetan/yueyuetan/models"
)

// Street routes: the superadmin manages streets and reads them; anyone else, observing none here,
// finds no street (docs/desk.md "The street observer").
const (
	wSuperStreet = "401 2xx 404 404 404 404 404 404 404 404 404"
)

// deskRows are the access matrix rows of the dashboard and the streets: the committee, admins and
// the superadmin read a community's dashboard; only the superadmin creates streets and observers.
func (ta *testApp) deskRows() []accessRow {
	f := ta.fx
	A, B := f.A.ID, f.B.ID
	p := fmt.Sprintf
	none := func(int) any { return nil }
	st := must(ta.store.CreateStreet(context.Background(), f.Super.Actor(), models.StreetInput{Name: "矩阵街道",
		District: "江汉区", City: "武汉市"}))
	// Observers are added to a street of their own: rows run side by side, and an observer of st
	// would read its dashboard.
	other := must(ta.store.CreateStreet(context.Background(), f.Super.Actor(), models.StreetInput{Name: "观察街道",
		District: "江汉区", City: "武汉市"}))
	return append([]accessRow{
		{route: "GET /api/v1/communities/:cid/dashboard", path: p("/api/v1/communities/%d/dashboard", A), body: none, want: wAuditA},
		{route: "GET /api/v1/communities/:cid/dashboard", path: p("/api/v1/communities/%d/dashboard", B), body: none, want: wAdminB},
		{route: "GET /api/v1/communities/:cid/dashboard/records", path: p("/api/v1/communities/%d/dashboard/records?kind=items&status=overdue", A), body: none, want: wAuditA},
		{route: "GET /api/v1/streets", path: "/api/v1/streets", body: none, want: wUser},
		{route: "POST /api/v1/streets", path: "/api/v1/streets", body: func(n int) any {
			return map[string]any{"name": p("街道%d", n), "district": "江汉区", "city": "武汉市"}
		}, want: wSuperOnly},
		{route: "GET /api/v1/streets/:sid/dashboard", path: p("/api/v1/streets/%d/dashboard", st.ID), body: none, want: wSuperStreet},
		{route: "POST /api/v1/streets/:sid/observers", path: p("/api/v1/streets/%d/observers", other.ID), body: func(int) any {
			return map[string]any{"user_id": f.Resident.ID}
		}, want: wSuperOnly},
	}, ta.streetRows()...) // ---- street ---- (handlers/access_street_test.go)
}

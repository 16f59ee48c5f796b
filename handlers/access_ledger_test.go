package handlers

import (
	"context"
	"fmt"

	"github.com/yueyuetan/yueyuetan/models"
)

// ledgerRows are the access matrix rows of the ledgers, the cycle's archive and the public board
// (docs/ledgers.md "Who may export"): admins and the committee export, the board needs no login.
func (ta *testApp) ledgerRows() []accessRow {
	f := ta.fx
	A, B := f.A.ID, f.B.ID
	p := fmt.Sprintf
	none := func(int) any { return nil }
	cy := must(ta.store.CreateCycle(context.Background(), f.Super.Actor(), A, models.CycleInput{Month: "2040-01",
		CompoundID: f.CompoundA.ID, Reason: "台账"}))
	return []accessRow{
		{route: "GET /api/v1/communities/:cid/ledgers/:file", path: p("/api/v1/communities/%d/ledgers/items.xlsx", A), body: none, want: wAuditA},
		{route: "GET /api/v1/communities/:cid/ledgers/:file", path: p("/api/v1/communities/%d/ledgers/service.csv", A), body: none, want: wAuditA},
		{route: "GET /api/v1/communities/:cid/ledgers/:file", path: p("/api/v1/communities/%d/ledgers/polls.csv", B), body: none, want: wAdminB},
		{route: "GET /api/v1/cycles/:id/archive.zip", path: p("/api/v1/cycles/%d/archive.zip", cy.ID), body: none, want: wAuditA},
		{route: "GET /api/v1/public/communities/:cid/board", path: p("/api/v1/public/communities/%d/board", A), body: none, want: wAll},
		{route: "GET /api/v1/public/communities/:cid/board", path: p("/api/v1/public/communities/%d/board", B), body: none, want: wAll},
	}
}

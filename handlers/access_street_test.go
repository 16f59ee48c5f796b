package handlers

import (
	"context"
	"fmt"

	"github.com/yueyuetan/yueyuetan/models"
)

// streetRows are the access matrix rows of the superadmin's street screen: only the superadmin
// lists and removes observers and puts communities in a street (docs/desk.md "The street
// observer"). Each row has a street of its own, since rows run side by side.
func (ta *testApp) streetRows() []accessRow {
	f := ta.fx
	ctx, sa := context.Background(), f.Super.Actor()
	p := fmt.Sprintf
	none := func(int) any { return nil }
	street := func(name string) uint64 {
		return must(ta.store.CreateStreet(ctx, sa, models.StreetInput{Name: name, District: "江汉区", City: "武汉市"})).ID
	}
	listed, removed, joined := street("名单街道"), street("撤销街道"), street("加入街道")
	must(0, ta.store.AddStreetObserver(ctx, sa, listed, models.StreetObserverInput{UserID: f.Resident.ID}))
	must(0, ta.store.AddStreetObserver(ctx, sa, removed, models.StreetObserverInput{UserID: f.Resident.ID}))
	cm := must(ta.store.CreateCommunity(ctx, sa, models.CommunityInput{Name: "矩阵新社区", Street: "别的街道", District: "江汉区", City: "武汉市"}))
	return []accessRow{
		{route: "GET /api/v1/streets/:sid/observers", path: p("/api/v1/streets/%d/observers", listed), body: none, want: wSuperOnly},
		{route: "DELETE /api/v1/streets/:sid/observers/:uid", path: p("/api/v1/streets/%d/observers/%d", removed, f.Resident.ID), body: none, want: wSuperOnly},
		{route: "PUT /api/v1/streets/:sid/communities/:cid", path: p("/api/v1/streets/%d/communities/%d", joined, cm.ID), body: none, want: wSuperOnly},
	}
}

package handlers

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"mime/multipart"

	"github.com/yueyuetan/yueyuetan/models"
)

// cycleFixture is what the access matrix needs of the monthly cycle: in community A a cycle
// collecting topics and one collecting cards, in community B a cycle being planned.
type cycleFixture struct {
	topics, cards, other *models.Cycle
	topic, otherTopic    *models.Topic
	card, reported       *models.Card
	upload               *models.Upload
}

func (ta *testApp) buildCycleFixture() cycleFixture {
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	var cf cycleFixture
	cf.topics = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2026-10", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cf.topics.ID, models.PhaseTopicCollection, ""))
	cf.topic = must(s.ProposeTopic(ctx, f.Resident.Actor(), cf.topics.ID, models.TopicInput{Title: "停车难"}))
	cf.cards = must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: "2026-11", CompoundID: f.CompoundA.ID, Reason: "居民反映最集中"}))
	must(s.AdvanceCycle(ctx, sa, cf.cards.ID, models.PhaseTopicCollection, ""))
	cf.otherTopic = must(s.ProposeTopic(ctx, f.Resident.Actor(), cf.cards.ID, models.TopicInput{Title: "加装电梯"}))
	must(s.AdvanceCycle(ctx, sa, cf.cards.ID, models.PhaseTopicSelection, ""))
	must(s.SelectTopic(ctx, sa, cf.cards.ID, cf.otherTopic.ID, "附议最多"))
	must(s.AdvanceCycle(ctx, sa, cf.cards.ID, models.PhaseCardCollection, ""))
	cf.upload = must(s.SaveUpload(ctx, f.Resident.Actor(), f.A.ID, bytes.NewReader(tinyJPEG())))
	cf.card = must(first(s.SubmitCard(ctx, f.Resident.Actor(), cf.cards.ID, models.CardInput{Body: "分单元表决", PhotoID: &cf.upload.ID})))
	cf.reported = must(first(s.SubmitCard(ctx, f.Resident.Actor(), cf.cards.ID, models.CardInput{Body: "错峰停车"})))
	cf.other = must(s.CreateCycle(ctx, f.Super.Actor(), f.B.ID, models.CycleInput{Month: "2026-11", CompoundID: f.CompoundB.ID, Reason: "居民反映最集中"}))
	return cf
}

// first drops the middle result of a (value, flag, error) call.
func first[T any](v T, _ bool, err error) (T, error) { return v, err }

func tinyJPEG() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// multipartPhoto is an upload form for a community.
func multipartPhoto(communityID uint64) rawBody {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("community_id", fmt.Sprint(communityID))
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	fw.Write(tinyJPEG())
	mw.Close()
	return rawBody{b.String(), mw.FormDataContentType()}
}

// cycleRows are the access matrix rows of cycles, topics, uploads and cards.
func (ta *testApp) cycleRows() []accessRow {
	cf := ta.buildCycleFixture()
	A, B := ta.fx.A.ID, ta.fx.B.ID
	p := fmt.Sprintf
	body := func(v any) func(int) any { return func(int) any { return v } }
	none := func(int) any { return nil }
	return []accessRow{
		{route: "GET /api/v1/communities/:cid/cycles", path: p("/api/v1/communities/%d/cycles", A), body: none, want: wMemberA},
		{route: "GET /api/v1/communities/:cid/cycles", path: p("/api/v1/communities/%d/cycles", B), body: none, want: wMemberB},
		{route: "POST /api/v1/communities/:cid/cycles", path: p("/api/v1/communities/%d/cycles", A), body: func(n int) any {
			return map[string]any{"month": p("20%02d-%02d", 30+n/12%70, n%12+1), "compound_id": ta.fx.CompoundA.ID, "reason": "矩阵"}
		}, want: wFacilA},
		{route: "GET /api/v1/cycles/:id", path: p("/api/v1/cycles/%d", cf.cards.ID), body: none, want: wMemberA},
		{route: "GET /api/v1/cycles/:id", path: p("/api/v1/cycles/%d", cf.other.ID), body: none, want: wMemberB},
		// Skipping phases is refused after the role check, so allowed callers get 409.
		{route: "POST /api/v1/cycles/:id/advance", path: p("/api/v1/cycles/%d/advance", cf.cards.ID),
			body: body(map[string]string{"to": "closed"}), want: "401 409 409 409 403 403 403 403 403 404 404"},
		{route: "GET /api/v1/cycles/:id/topics", path: p("/api/v1/cycles/%d/topics", cf.topics.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/cycles/:id/topics", path: p("/api/v1/cycles/%d/topics", cf.topics.ID), body: func(n int) any {
			return map[string]any{"title": p("议题%d", n)}
		}, want: wVerifiedA},
		{route: "POST /api/v1/cycles/:id/select-topic", path: p("/api/v1/cycles/%d/select-topic", cf.cards.ID),
			body: body(map[string]any{"topic_id": cf.otherTopic.ID, "reason": "附议最多"}), want: "401 409 409 409 403 403 403 403 403 404 404"},
		{route: "PATCH /api/v1/topics/:id", path: p("/api/v1/topics/%d", cf.topic.ID),
			body: body(map[string]string{"status": "open"}), want: wFacilA},
		{route: "POST /api/v1/topics/:id/merge", path: p("/api/v1/topics/%d/merge", cf.topic.ID),
			body: body(map[string]any{"into_topic_id": cf.otherTopic.ID}), want: "401 422 422 422 403 403 403 403 403 404 404"},
		{route: "PUT /api/v1/topics/:id/endorsement", path: p("/api/v1/topics/%d/endorsement", cf.topic.ID), body: none, want: wVerifiedA},
		{route: "DELETE /api/v1/topics/:id/endorsement", path: p("/api/v1/topics/%d/endorsement", cf.topic.ID), body: none, want: wVerifiedA},
		{route: "POST /api/v1/uploads", path: "/api/v1/uploads", body: body(multipartPhoto(A)), want: wVerifiedA},
		{route: "POST /api/v1/uploads", path: "/api/v1/uploads", body: body(multipartPhoto(B)), want: wMemberB},
		{route: "GET /api/v1/uploads/:id", path: p("/api/v1/uploads/%d", cf.upload.ID), body: none, want: wMemberA},
		{route: "GET /api/v1/cycles/:id/cards", path: p("/api/v1/cycles/%d/cards", cf.cards.ID), body: none, want: wMemberA},
		{route: "POST /api/v1/cycles/:id/cards", path: p("/api/v1/cycles/%d/cards", cf.cards.ID), body: func(n int) any {
			return map[string]any{"body": p("卡片%d", n)}
		}, want: wVerifiedA},
		{route: "GET /api/v1/cards/:id", path: p("/api/v1/cards/%d", cf.card.ID), body: none, want: wMemberA},
		{route: "PATCH /api/v1/cards/:id", path: p("/api/v1/cards/%d", cf.card.ID),
			body: body(map[string]string{"status": "visible", "reason": "内容正常"}), want: wFacilA},
		// The third report hides the card, after which it is gone for everyone but its author
		// and moderators, and reporting a hidden card finds nothing.
		{route: "POST /api/v1/cards/:id/reports", path: p("/api/v1/cards/%d/reports", cf.reported.ID),
			body: body(map[string]string{"reason": "广告"}), want: "401 2xx 2xx 2xx 404 404 404 404 404 404 404"},
		{route: "GET /api/v1/cards/:id/timeline", path: p("/api/v1/cards/%d/timeline", cf.card.ID), body: none, want: wMemberA},
	}
}
